using System.Text.Json;
using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Events;

/// <summary>
/// What an event became once stored: the row plus the customer it belongs to. <paramref name="Own"/>:
/// one of Rapport's own events (origin 'rapport', written through <see cref="OwnEvents"/>), not something the customer did.
/// </summary>
public sealed record StoredEvent(IncomingEvent Event, long CustomerId, Identifier Primary, bool Own = false);

/// <summary>Something kept up to date from events inside the ingest transaction (traits, orders, cart).</summary>
public interface IEventProjection
{
    Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events);

    /// <summary>Forgets what it derived for these customers and recomputes it from their stored events.</summary>
    Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers);
}

/// <summary>
/// Stores a batch of events in the caller's transaction: drops retries (same messageId),
/// resolves identity, appends the rows in bulk and runs the projections.
/// </summary>
public sealed class EventWriter(IdentityResolver identity, IEnumerable<IEventProjection> projections)
{
    private static readonly string[] Columns =
    [
        "message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value",
        "anonymous_id", "user_id", "occurred_at", "received_at", "properties", "context",
    ];

    // Collected events leave origin to its default ('customer'): the hot insert names no extra column.
    private static readonly string[] OwnColumns = [.. Columns, "origin"];

    private readonly IEventProjection[] _projections = projections.ToArray();

    public IReadOnlyList<IEventProjection> Projections => _projections;

    /// <returns>The message ids that were new and are now stored.</returns>
    public Task<HashSet<string>> WriteAsync(UnitOfWork unit, IReadOnlyList<IncomingEvent> events) => WriteAsync(unit, events, own: false);

    /// <param name="own">Rapport's own events (origin 'rapport'): only <see cref="OwnEvents.WriteThroughIngestAsync"/> passes true.</param>
    internal async Task<HashSet<string>> WriteAsync(UnitOfWork unit, IReadOnlyList<IncomingEvent> events, bool own)
    {
        var fresh = await DropDuplicatesAsync(unit, events);
        if (fresh.Count == 0)
        {
            return [];
        }

        // Time order makes incremental projections right in the common case; identity does not need it.
        fresh.Sort((a, b) => a.OccurredAt.CompareTo(b.OccurredAt));

        // One owner query per identifier kind for the whole batch, then resolution is in memory
        // except where something is new (a customer, an identifier, a link).
        var identifiers = new IReadOnlyList<Identifier>[fresh.Count];
        for (var i = 0; i < fresh.Count; i++)
        {
            identifiers[i] = fresh[i].Identifiers();
        }

        await identity.ForgetIfErasedElsewhereAsync(unit);
        await identity.PreloadAsync(unit, identifiers.SelectMany(ids => ids).Concat(fresh
            .Where(e => e.PreviousId is not null)
            .SelectMany(e => new[] { Identifier.Normalize(Identifier.UserId, e.PreviousId!), Identifier.Normalize(Identifier.AnonymousId, e.PreviousId!) })));
        for (var i = 0; i < fresh.Count; i++)
        {
            var e = fresh[i];
            var ids = e.PreviousId is null ? identifiers[i] : AliasAware(identifiers[i], e, await ResolvePreviousIdKindAsync(unit, e));
            await identity.ResolveAsync(unit, ids, UnixTime.ToStorage(e.OccurredAt), e.MessageId, explicitAlias: e.Type == "alias");
        }

        // Owners are read after all linking: a merge late in the batch moves earlier events too.
        var stored = new List<StoredEvent>(fresh.Count);
        for (var i = 0; i < fresh.Count; i++)
        {
            var e = fresh[i];
            var primary = e.PreviousId is null ? identifiers[i][0] : AliasAware(identifiers[i], e, await ResolvePreviousIdKindAsync(unit, e))[0];
            var owner = await identity.FindOwnerAsync(unit, primary) ?? throw new InvalidOperationException($"No owner for {primary}.");
            stored.Add(new StoredEvent(e, owner, primary, own));
        }

        var now = unit.Now;
        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "events", own ? OwnColumns : Columns, stored.Select(s => own
            ? new object?[]
            {
                s.Event.MessageId, s.Event.Type, s.Event.Name, s.Event.Channel, s.CustomerId, s.Primary.Kind, s.Primary.Value,
                s.Event.AnonymousId, s.Event.UserId, UnixTime.ToStorage(s.Event.OccurredAt), s.Event.ReceivedAt is { } r ? UnixTime.ToStorage(r) : now,
                s.Event.PayloadJson ?? s.Event.Payload.ToJsonString(), s.Event.ContextJson ?? s.Event.Context?.ToJsonString(), EventOrigin.Rapport,
            }
            : new object?[]
            {
                s.Event.MessageId, s.Event.Type, s.Event.Name, s.Event.Channel, s.CustomerId, s.Primary.Kind, s.Primary.Value,
                s.Event.AnonymousId, s.Event.UserId, UnixTime.ToStorage(s.Event.OccurredAt), s.Event.ReceivedAt is { } received ? UnixTime.ToStorage(received) : now,
                s.Event.PayloadJson ?? s.Event.Payload.ToJsonString(), s.Event.ContextJson ?? s.Event.Context?.ToJsonString(),
            }));

        foreach (var projection in _projections)
        {
            await projection.ApplyAsync(unit, stored);
        }

        return fresh.Select(e => e.MessageId).ToHashSet(StringComparer.Ordinal);
    }

    private static IReadOnlyList<Identifier> AliasAware(IReadOnlyList<Identifier> identifiers, IncomingEvent e, string? previousKind)
    {
        if (e.PreviousId is not { } previous || previousKind is null)
        {
            return identifiers;
        }

        return identifiers.Append(Identifier.Normalize(previousKind, previous)).Distinct().Order().ToList();
    }

    /// <summary>An alias's previousId is a known userId if we have seen it as one, else an anonymousId.</summary>
    private async Task<string?> ResolvePreviousIdKindAsync(UnitOfWork unit, IncomingEvent e)
    {
        if (e.PreviousId is null)
        {
            return null;
        }

        var asUser = Identifier.Normalize(Identifier.UserId, e.PreviousId);
        return await identity.FindOwnerAsync(unit, asUser) is not null ? Identifier.UserId : Identifier.AnonymousId;
    }

    /// <summary>Drops messages already stored (client retries) and repeats within the batch: one query per batch.</summary>
    private static async Task<List<IncomingEvent>> DropDuplicatesAsync(UnitOfWork unit, IReadOnlyList<IncomingEvent> events)
    {
        var unique = new Dictionary<string, IncomingEvent>(events.Count, StringComparer.Ordinal);
        foreach (var e in events)
        {
            unique.TryAdd(e.MessageId, e);
        }

        var existing = await unit.Statement($"SELECT message_id FROM events WHERE message_id IN {ValueList.Sql(unit.Dialect, "@ids")}", "@ids")
            .QueryAsync(ValueList.Of(unit.Dialect, unique.Keys));
        foreach (var row in existing)
        {
            unique.Remove((string)row[0]!);
        }

        return unique.Values.ToList();
    }

    internal static string Json(object value) => JsonSerializer.Serialize(value);
}
