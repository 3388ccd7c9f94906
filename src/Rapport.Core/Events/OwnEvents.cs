using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Events;

/// <summary>An event Rapport states itself about a customer it already knows, filed under the identifier given.</summary>
public sealed record OwnEvent(IncomingEvent Event, long CustomerId, Identifier FiledUnder);

/// <summary>
/// Appends Rapport's own facts about known customers ("Email Sent", "Segment Entered", journey
/// steps) in bulk in the caller's transaction, without the ingest path: no identity resolution
/// (the customer is known and live) and no projections (the events change no trait, order,
/// consent or value). Retries are dropped by message id, so writing the same fact twice stores it
/// once. Cost: one duplicate check and one bulk insert per batch, instead of identity resolution
/// and every projection per event. Callers that want the events counted live (segments) hand the
/// returned rows on themselves.
/// </summary>
public static class OwnEvents
{
    private static readonly string[] Columns =
    [
        "message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value",
        "anonymous_id", "user_id", "occurred_at", "received_at", "properties", "context",
    ];

    /// <returns>The events that were new and are now stored, in the order given.</returns>
    public static async Task<IReadOnlyList<StoredEvent>> AppendAsync(UnitOfWork unit, IReadOnlyList<OwnEvent> events, CancellationToken ct = default)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var fresh = new Dictionary<string, OwnEvent>(events.Count, StringComparer.Ordinal);
        foreach (var e in events)
        {
            fresh.TryAdd(e.Event.MessageId, e);
        }

        foreach (var row in await unit.Statement($"SELECT message_id FROM events WHERE message_id IN {ValueList.Sql(unit.Dialect, "@ids")}", "@ids")
                     .QueryAsync(ValueList.Of(unit.Dialect, fresh.Keys.ToList())))
        {
            fresh.Remove((string)row[0]!);
        }

        if (fresh.Count == 0)
        {
            return [];
        }

        var now = unit.Now;
        var stored = events.Where(e => fresh.Remove(e.Event.MessageId)).ToList();
        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "events", Columns, stored.Select(s => new object?[]
        {
            s.Event.MessageId, s.Event.Type, s.Event.Name, s.Event.Channel, s.CustomerId, s.FiledUnder.Kind, s.FiledUnder.Value,
            s.Event.AnonymousId, s.Event.UserId, UnixTime.ToStorage(s.Event.OccurredAt), now,
            s.Event.PayloadJson ?? s.Event.Payload.ToJsonString(), s.Event.ContextJson ?? s.Event.Context?.ToJsonString(),
        }), ct);
        return stored.Select(s => new StoredEvent(s.Event, s.CustomerId, s.FiledUnder)).ToList();
    }
}
