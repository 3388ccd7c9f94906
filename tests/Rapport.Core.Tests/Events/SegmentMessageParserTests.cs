using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Events;

namespace Rapport.Core.Tests.Events;

public sealed class SegmentMessageParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 5, 1, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ParseBatch_TrackMessage_KeepsTheClientsPropertiesTextAndReadsThem()
    {
        var (events, errors) = Batch("""
            {"batch":[{"type":"track","userId":"u1","event":"Product Viewed","messageId":"m1",
                       "properties":{ "sku" : "MUG", "price": 4.50, "name": "Caf\u00e9 mug" }}]}
            """);

        Assert.Empty(errors);
        var e = Assert.Single(events);
        Assert.Equal("""{ "sku" : "MUG", "price": 4.50, "name": "Caf\u00e9 mug" }""", e.PayloadJson);
        Assert.Equal(4.50m, e.Payload["price"]!.GetValue<decimal>());
        Assert.Equal("Café mug", e.Payload["name"]!.GetValue<string>());
        Assert.Equal(("track", "Product Viewed", "u1"), (e.Type, e.Name, e.UserId));
    }

    [Fact]
    public void ParseBatch_MessageWithoutContext_TakesTheBatchContext()
    {
        var (events, errors) = Batch("""
            {"context":{"channel":"mobile","traits":{"email":"Ann@Example.com"}},
             "batch":[{"type":"track","anonymousId":"a1","event":"Signed Up","messageId":"m1"},
                      {"type":"track","anonymousId":"a2","event":"Signed Up","messageId":"m2","context":{"channel":"server"}}]}
            """);

        Assert.Empty(errors);
        Assert.Equal(("app", "web"), (events[0].Channel, events[1].Channel));
        Assert.Equal("""{"channel":"mobile","traits":{"email":"Ann@Example.com"}}""", events[0].ContextJson);
        Assert.Contains(events[0].Identifiers(), i => i.ToString() == "email:ann@example.com");
        Assert.DoesNotContain(events[1].Identifiers(), i => i.Kind == "email");
    }

    [Fact]
    public void Parse_Group_AddsTheGroupIdToTheStoredTraits()
    {
        var (e, errors) = Single("""{"userId":"u1","groupId":"acme","traits":{"name":"Acme"}}""", "group");

        Assert.Empty(errors);
        Assert.Null(e!.PayloadJson);
        Assert.Equal("""{"name":"Acme","groupId":"acme"}""", e.Payload.ToJsonString());
    }

    [Fact]
    public void Parse_NoMessageId_SameMessageSameIdAndOtherMessageOtherId()
    {
        const string message = """{"type":"track","userId":"u1","event":"Signed Up","timestamp":"2026-05-01T14:00:00Z"}""";

        var first = Single(message, null).Event!.MessageId;
        var retry = Single(message, null).Event!.MessageId;
        var other = Single(message.Replace("u1", "u2", StringComparison.Ordinal), null).Event!.MessageId;

        Assert.StartsWith("rapport-", first, StringComparison.Ordinal);
        Assert.Equal(first, retry);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void ParseBatch_MessageOverTheLimit_IsAnErrorAtItsPath()
    {
        var big = new string('x', 40 * 1024);
        var (events, errors) = Batch(
            """{"batch":[{"type":"track","userId":"u","event":"A"},{"type":"track","userId":"u","event":"B","properties":{"blob":"BIG"}}]}"""
                .Replace("BIG", big, StringComparison.Ordinal));

        Assert.Single(events);
        var error = Assert.Single(errors);
        Assert.Equal("$.batch[1]", error.Path);
        Assert.Contains("32 KB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseBatch_NoBatchArray_IsNull()
    {
        using var body = JsonDocument.Parse("""{"messages":[]}""", SegmentMessageParser.DocumentOptions);

        Assert.Null(SegmentMessageParser.ParseBatch(body.RootElement, ReceivedAt, 32 * 1024));
    }

    [Fact]
    public void DocumentOptions_DuplicateKey_IsMalformedJson()
    {
        var body = Encoding.UTF8.GetBytes("""{"batch":[{"type":"track","userId":"u1","userId":"u2","event":"A"}]}""");

        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body, SegmentMessageParser.DocumentOptions));
    }

    [Fact]
    public void Parse_NumericIdsAndExplicitNulls_IdsAsDigitsAndNullsAsAbsent()
    {
        var (e, errors) = Single("""{"type":"track","userId":12345,"anonymousId":null,"event":"A","context":null,"properties":null}""", null);

        Assert.Empty(errors);
        Assert.Equal(("12345", null), (e!.UserId, e.AnonymousId));
        Assert.Null(e.Context);
        Assert.Equal("{}", e.Payload.ToJsonString());
    }

    private static (List<IncomingEvent> Events, List<MessageError> Errors) Batch(string json)
    {
        var body = JsonDocument.Parse(json, SegmentMessageParser.DocumentOptions);
        return SegmentMessageParser.ParseBatch(body.RootElement, ReceivedAt, 32 * 1024)!.Value;
    }

    private static (IncomingEvent? Event, List<MessageError> Errors) Single(string json, string? type) =>
        SegmentMessageParser.Parse(JsonDocument.Parse(json, SegmentMessageParser.DocumentOptions).RootElement, type, ReceivedAt, "$");
}
