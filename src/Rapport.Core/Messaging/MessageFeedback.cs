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

    private static async Task<Rapport.Engine.Identity.Identifier> WhoAsync(UnitOfWork unit, OutboxEntry m) =>
        OutboxEvents.Who(await Rapport.Core.Identity.StrongestIdentifiers.ForAsync(unit, [m.CustomerId]), m.CustomerId, m.Channel, m.Recipient);
}
