using System.Text.Json;
using Rapport.Core.Conversations;
using Rapport.Core.Messaging;
using Rapport.Http.Chat;

namespace Rapport.Http;

/// <summary>
/// POST /v1/webhooks/{sms|push}/events: what an SMS or push provider reports about a message we
/// sent through its webhook: delivered, undelivered (permanent: the number or token does not
/// exist, so it is suppressed), opened (push), a link clicked, or the customer's reply, which
/// lands on their thread like an inbound text. Signed like inbound SMS (no API key). Events are
/// stored once per message and status, replies once per provider event id: a retried report
/// changes nothing and gets 200 again.
/// </summary>
internal static class ProviderEventsEndpoint
{
    public const string Path = "/v1/webhooks/{channel}/events";

    internal sealed record ReportJson(
        long? Id, string? Key, string? Status, string? EventId, DateTimeOffset? At, string? Error, bool? Permanent, string? Url, string? Text);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Example = "{\"id\": 17, \"status\": \"delivered\", \"eventId\": \"ev-1\", \"at\": \"2026-11-26T10:00:00Z\"}";

    public static async Task<IResult> ReceiveAsync(
        string channel, HttpRequest request, MessagingOptions messaging, IConfiguration configuration, Outbox outbox, MessageFeedback feedback,
        ProviderReplies replies, ChatRouter router, TimeProvider clock, CancellationToken ct)
    {
        if (channel is not (ConversationChannels.Sms or ConversationChannels.Push))
        {
            return Problems.Make(StatusCodes.Status404NotFound, "Unknown channel", $"Providers report on sms or push: POST /v1/webhooks/sms/events or /v1/webhooks/push/events; got '{channel}'.");
        }

        var (raw, refused) = await SignedWebhooks.ReadSignedAsync(channel, "A provider's report", request, messaging, configuration, clock, ct);
        if (raw is null)
        {
            return refused!;
        }

        ReportJson? body;
        try
        {
            body = JsonSerializer.Deserialize<ReportJson>(raw, Json);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest("Bad JSON", $"The body is not a report ({e.Message}); send {Example}.");
        }

        var report = new ProviderReport(body?.Id, body?.Key, body?.Status?.Trim().ToLowerInvariant() ?? "", body?.EventId, body?.At, body?.Error, body?.Permanent ?? false, body?.Url, body?.Text);
        if (ProviderStatuses.Problem(channel, report) is { } problem)
        {
            return Problems.BadRequest("Bad report", problem);
        }

        var message = report.Id is { } id ? await outbox.GetAsync(id, ct) : await outbox.GetByKeyAsync(report.Key!, ct);
        if (message is null || message.Channel != channel || (report.Id is not null && report.Key is not null && message.Key != report.Key))
        {
            // 404 tells the provider to stop retrying: a report for a message we never sent on this channel will not start to fit.
            return Problems.Make(StatusCodes.Status404NotFound, "Unknown message",
                $"No {channel} message with {(report.Id is not null ? $"id {report.Id}" : $"key '{report.Key}'")}{(report.Id is not null && report.Key is not null ? $" and key '{report.Key}'" : "")}: send the id and key our webhook POST carried.");
        }

        if (report.Status != ProviderStatuses.Replied)
        {
            var name = await feedback.ReportAsync(message, report, ct);
            return Results.Ok(new { @event = name, outboxId = message.Id, customerId = message.CustomerId });
        }

        if (await replies.StoredAsync(channel, report, ct) is { } before)
        {
            return TypedResults.Ok(before);
        }

        if (await replies.ThreadAsync(message, ct) is not { } thread)
        {
            return Problems.Make(StatusCodes.Status404NotFound, "Customer gone", $"The customer of message {message.Id} no longer exists (erased); the reply is not kept.");
        }

        // Route before storing, so the broadcast after the commit goes to the manager who took it.
        await router.RouteAsync(thread, ct);
        return await ConversationEndpoints.Guard(async () =>
        {
            var stored = await replies.FileAsync(thread.Id, message, report, ct);
            return stored.Created ? TypedResults.Created($"/v1/conversations/{stored.Thread.Id}", stored) : TypedResults.Ok(stored);
        });
    }
}
