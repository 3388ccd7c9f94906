using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Messaging;

/// <summary>
/// What customers do with a message (open, click, unsubscribe), recorded as events on their
/// timeline. An unsubscribe also suppresses the address for marketing, in the same transaction.
/// </summary>
public sealed class MessageFeedback(StoreWriter writer, EventWriter events, TimeProvider clock)
{
    public Task UnsubscribeAsync(OutboxEntry m, CancellationToken ct) =>
        writer.WriteAsync(async unit =>
        {
            await Outbox.SuppressAsync(unit, m.Recipient, "unsubscribed", m.Id);
            await events.WriteAsync(unit, [OutboxEvents.For(m.Id, await WhoAsync(unit, m), OutboxEvents.Unsubscribed, m.Purpose, m.Subject, clock.GetUtcNow(), channel: m.Channel)]);
            return 0;
        }, ct);

    /// <summary>Opens are stored once per message, clicks once per message and link (mail clients prefetch).</summary>
    public Task RecordAsync(OutboxEntry m, string name, string? url, CancellationToken ct) =>
        writer.WriteAsync(async unit => await events.WriteAsync(unit,
            [OutboxEvents.For(m.Id, await WhoAsync(unit, m), name, m.Purpose, m.Subject, clock.GetUtcNow(), extra: url is null ? null : new JsonObject { ["url"] = url }, channel: m.Channel)]), ct);

    /// <summary>
    /// A provider's report on an SMS or push message (<see cref="ProviderReport"/>, not a reply):
    /// an event on the timeline at the provider's time when believable (<see cref="Conversations.ProviderTime"/>),
    /// stored once per message and status (per link for clicks). A permanent failure ("this number
    /// or device token does not exist") also suppresses the recipient, as a hard bounce does an
    /// email address, so nothing more is sent to it. Returns the event's name.
    /// </summary>
    public Task<string> ReportAsync(OutboxEntry m, ProviderReport report, CancellationToken ct) =>
        writer.WriteAsync(async unit =>
        {
            var name = ProviderStatuses.EventName(m.Channel, report.Status);
            var now = clock.GetUtcNow();
            var at = Conversations.ProviderTime.Bound(report.At, now).At ?? now;
            if (report.Status == ProviderStatuses.Undelivered && report.Permanent)
            {
                await Outbox.SuppressAsync(unit, m.Recipient, "bounced: " + (report.Error ?? "the provider reports it undeliverable"), m.Id);
            }

            var extra = new JsonObject();
            if (report.Url is not null)
            {
                extra["url"] = report.Url;
            }

            if (report.EventId is not null)
            {
                extra["provider_event_id"] = report.EventId;
            }

            if (report.Status == ProviderStatuses.Undelivered)
            {
                extra["permanent"] = report.Permanent;
            }

            await events.WriteAsync(unit, [OutboxEvents.For(m.Id, await WhoAsync(unit, m), name, m.Purpose, m.Subject, at, report.Error, extra, m.Channel)]);
            return name;
        }, ct);

    private static async Task<Rapport.Engine.Identity.Identifier> WhoAsync(UnitOfWork unit, OutboxEntry m)
    {
        var known = await Rapport.Core.Identity.StrongestIdentifiers.ForAsync(unit, [m.CustomerId]);
        var survivors = known.Count == 0 && m.Channel == "push" ? await OutboxEvents.SurvivorsAsync(unit, [m.CustomerId]) : null;
        return OutboxEvents.Who(known, m.CustomerId, m.Channel, m.Recipient, survivors);
    }
}
