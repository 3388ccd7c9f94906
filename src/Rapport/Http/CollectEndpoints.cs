using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Events;
using Rapport.Core.Keys;

namespace Rapport.Http;

/// <summary>
/// The Segment HTTP Tracking API: the same paths, auth, limits and replies, so Segment and
/// RudderStack libraries pointed at Rapport work unchanged. A 200 means committed.
/// </summary>
internal static class CollectEndpoints
{
    public const int MaxMessageBytes = 32 * 1024;
    public const int MaxBatchBytes = 500 * 1024;

    public static void MapCollectEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireKey(KeyKind.Write).WithTags("Collect");
        foreach (var type in new[] { "identify", "track", "page", "screen", "group", "alias" })
        {
            v1.MapPost($"/{type}", (HttpContext http, IEventSink sink, TimeProvider clock) => SingleAsync(http, sink, clock, type))
                .WithSummary($"Segment-compatible {type} call");
        }

        v1.MapPost("/batch", BatchAsync).WithSummary("Segment-compatible batch of up to 500 KB");
    }

    private static async Task<Results<Ok<SuccessReply>, ProblemHttpResult>> SingleAsync(
        HttpContext http, IEventSink sink, TimeProvider clock, string type)
    {
        var receivedAt = clock.GetUtcNow();
        var (body, problem) = await ReadJsonAsync(http, MaxMessageBytes, "message");
        if (problem is not null)
        {
            return problem;
        }

        var (e, errors) = SegmentMessageParser.Parse(body!, type, receivedAt, "$");
        if (e is null)
        {
            return Problems.BadRequest("Invalid message", errors[0].Message, errors);
        }

        await sink.IngestAsync([e], http.RequestAborted);
        return TypedResults.Ok(SuccessReply.Instance);
    }

    private static async Task<Results<Ok<SuccessReply>, ProblemHttpResult>> BatchAsync(HttpContext http, IEventSink sink, TimeProvider clock)
    {
        var receivedAt = clock.GetUtcNow();
        var (body, problem) = await ReadJsonAsync(http, MaxBatchBytes, "batch");
        if (problem is not null)
        {
            return problem;
        }

        if (body!["batch"] is not JsonArray items)
        {
            return Problems.BadRequest("Invalid batch", "The body must be an object with a 'batch' array of messages: {\"batch\": [{\"type\": \"track\", ...}]}.");
        }

        var sentAt = body["sentAt"] is JsonValue s && s.TryGetValue<string>(out var sa) ? sa : null;
        var events = new List<IncomingEvent>(items.Count);
        var errors = new List<MessageError>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"$.batch[{i}]";
            if (items[i] is not JsonObject message)
            {
                errors.Add(new(path, "Each batch item must be a message object."));
                continue;
            }

            if (message.ToJsonString().Length > MaxMessageBytes)
            {
                errors.Add(new(path, $"The message is larger than {MaxMessageBytes / 1024} KB; send less in properties."));
                continue;
            }

            WithBatchContext(message, body["context"] as JsonObject);
            var (e, messageErrors) = SegmentMessageParser.Parse(message, null, receivedAt, path, sentAt);
            if (e is not null)
            {
                events.Add(e);
            }

            errors.AddRange(messageErrors);
        }

        // All or nothing: a client that gets a 400 knows nothing of this batch was stored.
        if (errors.Count > 0)
        {
            return Problems.BadRequest("Invalid batch", $"{errors.Count} problem(s); the first: {errors[0].Path}: {errors[0].Message} Nothing in this batch was stored.", errors);
        }

        await sink.IngestAsync(events, http.RequestAborted);
        return TypedResults.Ok(SuccessReply.Instance);
    }

    /// <summary>Batch-level context (library, channel) applies to messages that have none.</summary>
    private static void WithBatchContext(JsonObject message, JsonObject? batchContext)
    {
        if (batchContext is not null && message["context"] is null)
        {
            message["context"] = batchContext.DeepClone();
        }
    }

    private static async Task<(JsonObject? Body, ProblemHttpResult? Problem)> ReadJsonAsync(HttpContext http, int limit, string what)
    {
        if (http.Request.ContentLength > limit)
        {
            return (null, Problems.TooLarge($"A {what} may be at most {limit / 1024} KB; this one is {http.Request.ContentLength / 1024} KB. Split it."));
        }

        Stream stream = http.Request.Body;
        if (http.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                return (null, Problems.TooLarge($"A {what} may be at most {limit / 1024} KB. Split it."));
            }
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray()) is JsonObject o
                ? (o, null)
                : (null, Problems.BadRequest("Invalid JSON", "The body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest("Malformed JSON",
                $"The body is not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message.Split(" Path:")[0]}"));
        }
    }
}

/// <summary>The reply Segment's API gives and its libraries expect.</summary>
internal sealed record SuccessReply(bool Success)
{
    public static readonly SuccessReply Instance = new(true);
}
