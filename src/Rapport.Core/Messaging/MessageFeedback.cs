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
            await events.WriteAsync(unit, [OutboxEvents.For(m.Id, m.Recipient, OutboxEvents.Unsubscribed, m.Purpose, m.Subject, clock.GetUtcNow())]);
            return 0;
        }, ct);

    /// <summary>Opens are stored once per message, clicks once per message and link (mail clients prefetch).</summary>
    public Task RecordAsync(OutboxEntry m, string name, string? url, CancellationToken ct) =>
        writer.WriteAsync(unit => events.WriteAsync(unit,
            [OutboxEvents.For(m.Id, m.Recipient, name, m.Purpose, m.Subject, clock.GetUtcNow(), extra: url is null ? null : new JsonObject { ["url"] = url })]), ct);
}
