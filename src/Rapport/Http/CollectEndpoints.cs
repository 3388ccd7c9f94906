using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Consent;
using Rapport.Core.Events;
using Rapport.Core.Events.Intake;
using Rapport.Core.Keys;
using Rapport.Core.Storage;
using Rapport.Hosting;

namespace Rapport.Http;

/// <summary>
/// The Segment HTTP Tracking API: the same paths, auth, limits and replies, so Segment and
/// RudderStack libraries pointed at Rapport work unchanged. A 200 means committed: with
/// Rapport:Ingest:Acknowledge=projected (the default) the events are written through the
/// pipeline before the reply; with committed, the validated request is appended to the durable
/// intake and <see cref="IntakeProjector"/> projects it behind the reply (docs/ingestion.md).
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
            v1.MapPost($"/{type}", (HttpContext http, Acceptor accept, TimeProvider clock) => SingleAsync(http, accept, clock, type))
                .WithSummary($"Segment-compatible {type} call");
        }

        v1.MapPost("/batch", BatchAsync).WithSummary("Segment-compatible batch of up to 500 KB");
    }

    private static async Task<Results<Ok<SuccessReply>, ProblemHttpResult>> SingleAsync(
        HttpContext http, Acceptor accept, TimeProvider clock, string type)
    {
        var receivedAt = ReceivedAt(clock);
        var (body, bytes, problem) = await ReadJsonAsync(http, MaxMessageBytes, "message");
        if (problem is not null)
        {
            return problem;
        }

        if (body!.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Problems.BadRequest("Invalid JSON", "The body must be a JSON object.");
        }

        var (e, errors) = SegmentMessageParser.Parse(body.RootElement, type, receivedAt, "$");
        if (e is not null)
        {
            errors.AddRange(ConsentErrors(e, "$"));
        }

        if (e is null || errors.Count > 0)
        {
            return Problems.BadRequest("Invalid message", errors[0].Message, errors);
        }

        await accept.AcceptAsync(type, receivedAt, [e], bytes, http.RequestAborted);
        return TypedResults.Ok(SuccessReply.Instance);
    }

    private static async Task<Results<Ok<SuccessReply>, ProblemHttpResult>> BatchAsync(HttpContext http, Acceptor accept, TimeProvider clock)
    {
        var receivedAt = ReceivedAt(clock);
        var (body, bytes, problem) = await ReadJsonAsync(http, MaxBatchBytes, "batch");
        if (problem is not null)
        {
            return problem;
        }

        if (body!.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Problems.BadRequest("Invalid JSON", "The body must be a JSON object.");
        }

        if (SegmentMessageParser.ParseBatch(body.RootElement, receivedAt, MaxMessageBytes) is not var (events, errors))
        {
            return Problems.BadRequest("Invalid batch", "The body must be an object with a 'batch' array of messages: {\"batch\": [{\"type\": \"track\", ...}]}.");
        }

        if (errors.Count == 0)
        {
            errors.AddRange(events.SelectMany((e, i) => ConsentErrors(e, $"$.batch[{i}]")));
        }

        // All or nothing: a client that gets a 400 knows nothing of this batch was stored.
        if (errors.Count > 0)
        {
            return Problems.BadRequest("Invalid batch", $"{errors.Count} problem(s); the first: {errors[0].Path}: {errors[0].Message} Nothing in this batch was stored.", errors);
        }

        await accept.AcceptAsync(EventIntake.BatchKind, receivedAt, events, bytes, http.RequestAborted);
        return TypedResults.Ok(SuccessReply.Instance);
    }

    /// <summary>
    /// To the millisecond, as the store keeps it: the intake's projector parses the body again
    /// with the stored time, and must get the same clock-skew corrections the request got.
    /// </summary>
    private static DateTimeOffset ReceivedAt(TimeProvider clock) => UnixTime.FromStorage(UnixTime.ToStorage(clock.GetUtcNow()));

    /// <summary>A consent change for an unknown purpose or channel is rejected, never ignored (docs/consent.md).</summary>
    private static IEnumerable<MessageError> ConsentErrors(IncomingEvent e, string path) =>
        ConsentMessages.Validate(e).Select(error => new MessageError(path + error.Path[1..], error.Message));

    /// <summary>
    /// Reads the (possibly gzipped) body into one buffer and parses it in place. The document is
    /// not disposed: the events made from it read it until they are stored.
    /// </summary>
    private static async Task<(JsonDocument? Body, ReadOnlyMemory<byte> Bytes, ProblemHttpResult? Problem)> ReadJsonAsync(HttpContext http, int limit, string what)
    {
        if (http.Request.ContentLength > limit)
        {
            return (null, default, Problems.TooLarge($"A {what} may be at most {limit / 1024} KB; this one is {http.Request.ContentLength / 1024} KB. Split it."));
        }

        Stream stream = http.Request.Body;
        var gzip = http.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (gzip)
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        await using var _ = gzip ? stream : null;
        // One byte more than announced, so reading the end of the body never has to grow the buffer.
        var buffer = new byte[gzip || http.Request.ContentLength is not { } length ? 16 * 1024 : (int)length + 1];
        var size = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(size), http.RequestAborted)) > 0)
        {
            size += read;
            if (size > limit)
            {
                return (null, default, Problems.TooLarge($"A {what} may be at most {limit / 1024} KB. Split it."));
            }

            if (size == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
            }
        }

        try
        {
            var bytes = buffer.AsMemory(0, size);
            return (JsonDocument.Parse(bytes, SegmentMessageParser.DocumentOptions), bytes, null);
        }
        catch (JsonException ex)
        {
            return (null, default, Problems.BadRequest("Malformed JSON",
                $"The body is not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message.Split(" Path:")[0]}"));
        }
    }
}

/// <summary>Where a validated request goes before its reply, by <see cref="IngestSettings.Acknowledge"/>.</summary>
internal sealed class Acceptor(IngestSettings settings, IEventSink sink, EventIntake intake)
{
    /// <summary>Completes once the request's events are durable (committed mode) or projected (projected mode).</summary>
    public Task AcceptAsync(string kind, DateTimeOffset receivedAt, IReadOnlyList<IncomingEvent> events, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        return settings.Acknowledge == IngestAcknowledge.Committed
            ? intake.AppendAsync(kind, receivedAt, events.Count, body, cancellationToken)
            : sink.IngestAsync(events, cancellationToken);
    }
}

/// <summary>The reply Segment's API gives and its libraries expect.</summary>
internal sealed record SuccessReply(bool Success)
{
    public static readonly SuccessReply Instance = new(true);
}
