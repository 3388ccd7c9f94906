using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Http;

public sealed class CollectApiTests
{
    [Theory, BothStores]
    public async Task Track_WithWriteKey_RepliesSuccessAndLandsOnTheTimeline(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        var reply = await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "u1", @event = "Product Viewed", messageId = "m-1", properties = new { product_id = "P1", price = 9.5 },
            context = new { channel = "mobile" },
        });

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.True((await reply.Content.ReadFromJsonAsync<JsonObject>())!["success"]!.GetValue<bool>());
        var customer = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=u1");
        var timeline = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer!["id"]}/timeline");
        var item = timeline!["items"]!.AsArray().Single()!;
        Assert.Equal(("Product Viewed", "app"), (item["name"]!.GetValue<string>(), item["channel"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Batch_ClockSkewedDevice_TimestampCorrectedBySentAt()
    {
        await using var s = await ApiServer.StartAsync();
        // The device clock is 3 hours fast; the message was made 10 s before it was sent.
        var body = new JsonObject
        {
            ["sentAt"] = "2026-05-01T15:00:10Z",
            ["batch"] = new JsonArray(new JsonObject
            {
                ["type"] = "page", ["anonymousId"] = "a1", ["name"] = "Home", ["messageId"] = "skew-1", ["timestamp"] = "2026-05-01T15:00:00Z",
            }),
        };
        Assert.Equal(HttpStatusCode.OK, (await s.Writer.PostAsJsonAsync("/v1/batch", body)).StatusCode);

        var customer = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=anonymous_id&value=a1");
        var timeline = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer!["id"]}/timeline");
        var at = DateTimeOffset.Parse(timeline!["items"]![0]!["occurredAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(s.Clock.GetUtcNow().AddSeconds(-10), at);
    }

    [Fact]
    public async Task Batch_OneBadMessage_RejectsAllWithEveryProblemAndStoresNothing()
    {
        await using var s = await ApiServer.StartAsync();
        var body = """
            {"batch":[
              {"type":"track","userId":"u1","event":"Signed Up","messageId":"ok-1"},
              {"type":"track","event":"No Id","messageId":"bad-1"},
              {"type":"track","userId":"u1","event":"order completed","messageId":"bad-2"},
              {"type":"shout","userId":"u1"}
            ]}
            """;
        var reply = await s.Writer.PostAsync("/v1/batch", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType!.MediaType);
        var problem = await reply.Content.ReadFromJsonAsync<JsonObject>();
        var errors = problem!["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()).ToList();
        Assert.Equal(["$.batch[1]", "$.batch[2].event", "$.batch[3].type"], errors);
        Assert.Contains("Order Completed", problem["errors"]![1]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.GetAsync("/v1/customers/lookup?kind=user_id&value=u1")).StatusCode);
    }

    [Fact]
    public async Task Track_MalformedJson_ProblemSaysWhere()
    {
        await using var s = await ApiServer.StartAsync();
        var reply = await s.Writer.PostAsync("/v1/track", new StringContent("{\"userId\": \"u1\",\n \"event\": }", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var detail = (await reply.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();
        Assert.Contains("line 2", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Track_WrongTypes_ProblemNamesTheField()
    {
        await using var s = await ApiServer.StartAsync();
        var reply = await s.Writer.PostAsJsonAsync("/v1/track", new { userId = new[] { 1 }, @event = 5, properties = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var paths = (await reply.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()).ToList();
        Assert.Contains("$.userId", paths);
        Assert.Contains("$.event", paths);
        Assert.Contains("$.properties", paths);
    }

    [Fact]
    public async Task Track_MessageOver32KB_Is413()
    {
        await using var s = await ApiServer.StartAsync();
        var reply = await s.Writer.PostAsJsonAsync("/v1/track", new { userId = "u", @event = "Big", properties = new { blob = new string('x', 33 * 1024) } });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.StatusCode);
        Assert.Contains("32 KB", (await reply.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_Over500KB_Is413()
    {
        await using var s = await ApiServer.StartAsync();
        var items = Enumerable.Range(0, 30).Select(i => new { type = "track", userId = "u", @event = "E", properties = new { blob = new string('x', 20 * 1024) } });
        var reply = await s.Writer.PostAsJsonAsync("/v1/batch", new { batch = items });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.StatusCode);
    }

    [Fact]
    public async Task Track_SameMessageIdTwice_StoredOnce()
    {
        await using var s = await ApiServer.StartAsync();
        var message = new { anonymousId = "a9", @event = "Signed Up", messageId = "dup-1" };
        await s.Writer.PostAsJsonAsync("/v1/track", message);
        await s.Writer.PostAsJsonAsync("/v1/track", message);

        var customer = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=anonymous_id&value=a9");
        var timeline = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer!["id"]}/timeline");
        Assert.Single(timeline!["items"]!.AsArray());
    }

    [Fact]
    public async Task Collect_KeyProblems_401Or403WithAClearMessage()
    {
        await using var s = await ApiServer.StartAsync();
        using var anonymous = s.Client(null);
        using var wrong = s.Client("rk_write_not-a-key");

        var none = await anonymous.PostAsJsonAsync("/v1/track", new { userId = "u", @event = "E" });
        var bad = await wrong.PostAsJsonAsync("/v1/track", new { userId = "u", @event = "E" });
        var writeOnAdmin = await s.Writer.GetAsync("/v1/customers/1");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, writeOnAdmin.StatusCode);
        Assert.Contains("rapport keys create", (await none.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }
}
