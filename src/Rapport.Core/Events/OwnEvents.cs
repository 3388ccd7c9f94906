using System.Text.Json.Nodes;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Events;

/// <summary>Where an event came from (column events.origin).</summary>
public static class EventOrigin
{
    /// <summary>Collected: something the customer did (tracked, imported, simulated). The column default.</summary>
    public const string Customer = "customer";

    /// <summary>Rapport's own statement about the customer ("Email Sent", "Segment Entered", ...), written by <see cref="OwnEvents"/>.</summary>
    public const string Rapport = "rapport";
}

/// <summary>An event Rapport states itself about a customer it already knows, filed under the identifier given.</summary>
public sealed record OwnEvent(IncomingEvent Event, long CustomerId, Identifier FiledUnder);

/// <summary>
/// A track event Rapport states about a customer known by id: filed under the customer's
/// strongest identifier, with context.library.name <paramref name="Library"/> ("rapport-segments").
/// </summary>
/// <param name="At">When it happened, UTC milliseconds; null: now (the transaction's clock).</param>
public sealed record OwnFact(string MessageId, long CustomerId, string Name, JsonObject Properties, string Library, string Channel = Channels.Web, long? At = null);

/// <summary>
/// The one way Rapport's own timeline events reach the events table ("Email Sent", "Segment
/// Entered", journey steps, "Tier Changed", API consent changes, staff messages), always in the
/// caller's transaction and always marked origin 'rapport', so readers that want only what the
/// customer did (needs, analytics) filter on the column instead of keeping lists of names.
/// The usual path skips ingest: no identity resolution (the customer is known and live) and no
/// projections (the events change no trait, order, consent or value, and never earn loyalty
/// points). Retries are dropped by message id, so writing the same fact twice stores it once.
/// Cost: one duplicate check and one bulk insert per batch. Callers that want the events counted
/// live (segments) hand the returned rows on themselves.
/// </summary>
public static class OwnEvents
{
    private static readonly string[] Columns =
    [
        "message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value",
        "anonymous_id", "user_id", "occurred_at", "received_at", "properties", "context", "origin",
    ];

    /// <summary>Appends one event (see the bulk overload).</summary>
    public static async Task<StoredEvent?> AppendAsync(UnitOfWork unit, OwnEvent e, CancellationToken ct = default) =>
        (await AppendAsync(unit, [e], ct)) is [var stored] ? stored : null;

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
            s.Event.PayloadJson ?? s.Event.Payload.ToJsonString(), s.Event.ContextJson ?? s.Event.Context?.ToJsonString(), EventOrigin.Rapport,
        }), ct);
        return stored.Select(s => new StoredEvent(s.Event, s.CustomerId, s.FiledUnder, Own: true)).ToList();
    }

    /// <summary>
    /// Appends facts about customers known by id, filed under each one's strongest identifier
    /// (one query for all). A customer with no identifier left (absorbed by a merge in this very
    /// transaction) gets no event.
    /// </summary>
    /// <returns>The events that were new and are now stored.</returns>
    public static async Task<IReadOnlyList<StoredEvent>> AppendAsync(UnitOfWork unit, IReadOnlyList<OwnFact> facts, CancellationToken ct = default)
    {
        if (facts.Count == 0)
        {
            return [];
        }

        var who = await StrongestIdentifiers.ForAsync(unit, facts.Select(f => f.CustomerId).Distinct().ToList());
        var now = unit.Now;
        var contexts = new Dictionary<string, string>(StringComparer.Ordinal);
        var events = new List<OwnEvent>(facts.Count);
        foreach (var f in facts)
        {
            if (!who.TryGetValue(f.CustomerId, out var id))
            {
                continue;
            }

            if (!contexts.TryGetValue(f.Library, out var context))
            {
                contexts[f.Library] = context = new JsonObject { ["library"] = new JsonObject { ["name"] = f.Library } }.ToJsonString();
            }

            var e = new IncomingEvent(f.MessageId, "track", f.Name, f.Channel, null, null, UnixTime.FromStorage(f.At ?? now), f.Properties, null, null) { ContextJson = context };
            events.Add(new OwnEvent(e, f.CustomerId, id));
        }

        return await AppendAsync(unit, events, ct);
    }

    /// <summary>
    /// Own events that must take the ingest path: the customer is known only by an identifier
    /// (merged away since the fact was queued), or the projections must see them (a staff
    /// message's thread). Identity is resolved and the projections run as for collected events,
    /// and the rows are marked origin 'rapport' (<see cref="StoredEvent.Own"/>: needs and loyalty
    /// ignore them).
    /// </summary>
    /// <returns>The message ids that were new and are now stored.</returns>
    public static Task<HashSet<string>> WriteThroughIngestAsync(UnitOfWork unit, EventWriter writer, IReadOnlyList<IncomingEvent> events) =>
        writer.WriteAsync(unit, events, own: true);
}
