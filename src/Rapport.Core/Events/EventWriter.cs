using System.Text.Json;
using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Events;

/// <summary>What an event became once stored: the row plus the customer it belongs to.</summary>
public sealed record StoredEvent(IncomingEvent Event, long CustomerId, Identifier Primary);

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

    private readonly IEventProjection[] _projections = projections.ToArray();

    public IReadOnlyList<IEventProjection> Projections => _projections;

    /// <returns>The message ids that were new and are now stored.</returns>
    public async Task<HashSet<string>> WriteAsync(UnitOfWork unit, IReadOnlyList<IncomingEvent> events)
    {
        var fresh = await DropDuplicatesAsync(unit, events);
        if (fresh.Count == 0)
        {
            return [];
        }

        // Time order makes incremental projections right in the common case; identity does not need it.
        fresh.Sort((a, b) => a.OccurredAt.CompareTo(b.OccurredAt));
        foreach (var e in fresh)
        {
            var ids = AliasAware(e, await ResolvePreviousIdKindAsync(unit, e));
            await identity.ResolveAsync(unit, ids, UnixTime.ToStorage(e.OccurredAt), e.MessageId, explicitAlias: e.Type == "alias");
        }

        // Owners are read after all linking: a merge late in the batch moves earlier events too.
        var stored = new List<StoredEvent>(fresh.Count);
        foreach (var e in fresh)
        {
            var primary = AliasAware(e, await ResolvePreviousIdKindAsync(unit, e))[0];
            var owner = await identity.FindOwnerAsync(unit, primary) ?? throw new InvalidOperationException($"No owner for {primary}.");
            stored.Add(new StoredEvent(e, owner, primary));
        }

        var now = unit.Now;
        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "events", Columns, stored.Select(s => new object?[]
        {
            s.Event.MessageId, s.Event.Type, s.Event.Name, s.Event.Channel, s.CustomerId, s.Primary.Kind, s.Primary.Value,
            s.Event.AnonymousId, s.Event.UserId, UnixTime.ToStorage(s.Event.OccurredAt), now,
            s.Event.Payload.ToJsonString(), s.Event.Context?.ToJsonString(),
        }));

        foreach (var projection in _projections)
        {
            await projection.ApplyAsync(unit, stored);
        }

        return fresh.Select(e => e.MessageId).ToHashSet(StringComparer.Ordinal);
    }

    private static IReadOnlyList<Identifier> AliasAware(IncomingEvent e, string? previousKind)
    {
        var ids = e.Identifiers().ToList();
        if (e.PreviousId is { } previous && previousKind is not null)
        {
            ids.Add(Identifier.Normalize(previousKind, previous));
        }

        return ids.Distinct().Order().ToList();
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

    private static async Task<List<IncomingEvent>> DropDuplicatesAsync(UnitOfWork unit, IReadOnlyList<IncomingEvent> events)
    {
        var unique = new Dictionary<string, IncomingEvent>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            unique.TryAdd(e.MessageId, e);
        }

        foreach (var chunk in unique.Keys.Chunk(500).ToList())
        {
            var parameters = new DynamicParameters();
            var existing = await unit.Connection.QueryAsync<string>(
                $"SELECT message_id FROM events WHERE {SqlList.In("message_id", chunk, parameters)}", parameters, unit.Transaction);
            foreach (var id in existing)
            {
                unique.Remove(id);
            }
        }

        return unique.Values.ToList();
    }

    internal static string Json(object value) => JsonSerializer.Serialize(value);
}
