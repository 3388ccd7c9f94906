using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Identity;

/// <summary>
/// Maps the identifiers an event carries to one customer, linking and merging as needed.
/// The common case (all identifiers known and owned by one customer) is a dictionary lookup:
/// owners are cached in memory, and only <see cref="StoreWriter"/>'s single writer changes them.
/// Anything where arrival order could change the outcome goes through
/// <see cref="IdentityGraph"/>, which replays the links of the affected component by time.
/// </summary>
public sealed class IdentityResolver
{
    private readonly ConcurrentDictionary<Identifier, long> _owners = new();
    private readonly ConcurrentDictionary<(Identifier, Identifier), long> _links = new();

    // Identifiers PreloadAsync found unowned, valid only inside that one transaction.
    private readonly HashSet<Identifier> _absent = [];
    private UnitOfWork? _absentIn;

    /// <summary>Returns the customer that owns <paramref name="identifiers"/>[strongest] after linking.</summary>
    public Task<long> ResolveAsync(
        UnitOfWork unit, IReadOnlyList<Identifier> identifiers, long at, string messageId, bool explicitAlias = false) =>
        TryResolveKnown(identifiers, at, out var known)
            ? Task.FromResult(known)
            : ResolveSlowAsync(unit, identifiers, at, messageId, explicitAlias);

    /// <summary>
    /// The common case without touching the store or allocating: every identifier is owned by
    /// the same customer and every link between them is already recorded at this time or
    /// earlier, so the identity graph would not change.
    /// </summary>
    public bool TryResolveKnown(IReadOnlyList<Identifier> identifiers, long at, out long customer)
    {
        customer = 0;
        if (identifiers.Count == 0 || !_owners.TryGetValue(identifiers[0], out customer))
        {
            return false;
        }

        // Links are recorded from the strongest identifier, so this holds only for the sorted, distinct list Identifiers() gives.
        for (var i = 1; i < identifiers.Count; i++)
        {
            if (identifiers[i - 1].CompareTo(identifiers[i]) >= 0
                || !_owners.TryGetValue(identifiers[i], out var owner) || owner != customer
                || !_links.TryGetValue((identifiers[0], identifiers[i]), out var seen) || seen > at)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<long> ResolveSlowAsync(
        UnitOfWork unit, IReadOnlyList<Identifier> identifiers, long at, string messageId, bool explicitAlias)
    {
        var ids = identifiers.Distinct().Order().ToList();
        if (ids.Count == 0)
        {
            throw new ArgumentException("An event needs at least one identifier.", nameof(identifiers));
        }

        var linksChanged = false;
        for (var i = 1; i < ids.Count; i++)
        {
            linksChanged |= await RecordLinkAsync(unit, ids[0], ids[i], at, messageId, explicitAlias);
        }

        var owners = new Dictionary<Identifier, long>();
        foreach (var id in ids)
        {
            if (await FindOwnerAsync(unit, id) is { } owner)
            {
                owners[id] = owner;
            }
        }

        var customers = owners.Values.Distinct().Order().ToList();
        if (customers.Count == 1 && owners.Count == ids.Count && !linksChanged)
        {
            // Nothing new (every identifier owned by one customer, no new or earlier link): the
            // graph is unchanged, so is the answer.
            return customers[0];
        }

        if (customers.Count == 0)
        {
            var created = await CreateCustomerAsync(unit, at);
            foreach (var id in ids)
            {
                await AssignAsync(unit, id, created, at);
            }

            return created;
        }

        var userIds = await UserIdsAsync(unit, customers);
        userIds.UnionWith(ids.Where(i => i.Kind == Identifier.UserId).Select(i => i.Value));
        if (userIds.Count > 1 && !explicitAlias)
        {
            await ReplayComponentAsync(unit, ids, customers);
            return await FindOwnerAsync(unit, ids[0]) ?? throw new InvalidOperationException("Replay lost an identifier.");
        }

        if (customers.Count > 1)
        {
            // An admin who undid a merge disabled the links between those identifiers: a later
            // event carrying the same pair must not silently merge them again.
            var blocked = await DisabledPartnersAsync(unit, ids);
            var anchor = owners.GetValueOrDefault(ids[0]);
            customers = customers
                .Where(c => c == anchor || anchor == 0 || owners.Any(kv => kv.Value == c && !blocked.Contains(kv.Key)))
                .ToList();
        }

        var survivor = customers[0];
        foreach (var id in ids.Where(i => !owners.ContainsKey(i)))
        {
            await AssignAsync(unit, id, survivor, at);
        }

        foreach (var absorbed in customers.Skip(1))
        {
            await MergeAsync(unit, survivor, absorbed, at, messageId, explicitAlias ? "alias" : "shared identifiers");
        }

        return survivor;
    }

    /// <summary>Bulk path for imports: the customer of each value of one kind, creating the missing ones.</summary>
    public async Task<IReadOnlyDictionary<string, long>> EnsureAsync(UnitOfWork unit, string kind, IEnumerable<string> values, long at)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var raw in values)
        {
            var id = Identifier.Normalize(kind, raw);
            if (result.ContainsKey(raw))
            {
                continue;
            }

            var owner = await FindOwnerAsync(unit, id);
            if (owner is null)
            {
                owner = await CreateCustomerAsync(unit, at);
                await AssignAsync(unit, id, owner.Value, at);
            }

            result[raw] = owner.Value;
        }

        return result;
    }

    public async Task<long?> FindOwnerAsync(UnitOfWork unit, Identifier id)
    {
        if (_owners.TryGetValue(id, out var cached))
        {
            return cached;
        }

        if (ReferenceEquals(_absentIn, unit) && _absent.Contains(id))
        {
            return null;
        }

        var found = await unit.Statement("SELECT customer_id FROM identifiers WHERE kind = @kind AND value = @value", "@kind", "@value")
            .ScalarAsync(id.Kind, id.Value);
        var owner = found is null ? (long?)null : Convert.ToInt64(found, System.Globalization.CultureInfo.InvariantCulture);
        if (owner is { } o)
        {
            _owners[id] = o;
        }

        return owner;
    }

    /// <summary>
    /// Reads the owners of a batch's identifiers in one query per kind, so resolving its events
    /// needs no per-event lookup: found owners go to the cache, the rest are known to be new
    /// for the rest of this transaction.
    /// </summary>
    public async Task PreloadAsync(UnitOfWork unit, IEnumerable<Identifier> identifiers)
    {
        if (!ReferenceEquals(_absentIn, unit))
        {
            _absent.Clear();
            _absentIn = unit;
        }

        var unknown = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var id in identifiers)
        {
            if (!_owners.ContainsKey(id) && !_absent.Contains(id))
            {
                if (!unknown.TryGetValue(id.Kind, out var values))
                {
                    unknown[id.Kind] = values = new HashSet<string>(StringComparer.Ordinal);
                }

                values.Add(id.Value);
            }
        }

        foreach (var (kind, missing) in unknown)
        {
            var rows = await unit.Statement(
                    $"SELECT value, customer_id FROM identifiers WHERE kind = @kind AND value IN {ValueList.Sql(unit.Dialect, "@values")}", "@kind", "@values")
                .QueryAsync(kind, ValueList.Of(unit.Dialect, missing));
            foreach (var row in rows)
            {
                var value = (string)row[0]!;
                _owners[new Identifier(kind, value)] = Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture);
                missing.Remove(value);
            }

            foreach (var value in missing)
            {
                _absent.Add(new Identifier(kind, value));
            }
        }
    }

    /// <summary>Forgets every cached owner and link; the store is the truth.</summary>
    public void ClearCache()
    {
        _owners.Clear();
        _links.Clear();
        _absent.Clear();
        _absentIn = null;
    }

    internal async Task ReplayComponentAsync(UnitOfWork unit, IReadOnlyList<Identifier> seeds, IReadOnlyList<long> seedCustomers)
    {
        var (nodes, links, owners) = await IdentityComponentLoader.LoadAsync(unit, seeds, seedCustomers);
        var groups = IdentityGraph.Resolve(nodes, links);
        var taken = new HashSet<long>();
        var plan = new List<(IReadOnlyList<Identifier> Group, long Customer)>();
        foreach (var group in groups.OrderBy(g => g.Select(i => owners.GetValueOrDefault(i, long.MaxValue)).Min()))
        {
            var candidate = group.Where(owners.ContainsKey).Select(i => owners[i]).Where(c => !taken.Contains(c)).Order().FirstOrDefault();
            if (candidate == 0)
            {
                candidate = await CreateCustomerAsync(unit, unit.Now);
            }

            taken.Add(candidate);
            plan.Add((group, candidate));
        }

        var formerOwners = owners.Values.ToHashSet();

        // An identifier's events sit with its owner, or (right after an undo restored owners)
        // with a seed customer: those are the only rows a re-point has to look at.
        var holders = formerOwners.Concat(seedCustomers).ToHashSet();
        foreach (var (group, customer) in plan)
        {
            foreach (var id in group)
            {
                if (!owners.TryGetValue(id, out var old) || old != customer)
                {
                    await AssignAsync(unit, id, customer, unit.Now);
                }

                // Always: after an undo the owners are restored but the events still sit with the survivor.
                await RepointAsync(unit, id, customer, holders);
            }

            unit.CustomersToRebuild.Add(customer);
        }

        foreach (var gone in formerOwners.Where(c => !taken.Contains(c)))
        {
            var heir = plan.First(p => p.Group.Any(i => owners.GetValueOrDefault(i) == gone)).Customer;
            var moved = owners.Where(kv => kv.Value == gone).Select(kv => kv.Key.ToString()).Order().ToList();
            await RecordMergeAsync(unit, heir, gone, unit.Now, null, "replayed identity graph", moved);
        }
    }

    private async Task MergeAsync(UnitOfWork unit, long survivor, long absorbed, long at, string messageId, string reason)
    {
        var moved = (await unit.Connection.QueryAsync<(string Kind, string Value)>(
            "SELECT kind, value FROM identifiers WHERE customer_id = @absorbed", new { absorbed }, unit.Transaction)).ToList();
        var p = new { survivor, absorbed };
        await unit.Connection.ExecuteAsync("UPDATE identifiers SET customer_id = @survivor WHERE customer_id = @absorbed", p, unit.Transaction);
        await unit.Connection.ExecuteAsync("UPDATE events SET customer_id = @survivor WHERE customer_id = @absorbed", p, unit.Transaction);
        await unit.Connection.ExecuteAsync("UPDATE orders SET customer_id = @survivor WHERE customer_id = @absorbed", p, unit.Transaction);
        foreach (var (kind, value) in moved)
        {
            SetOwner(unit, new Identifier(kind, value), survivor);
        }

        await RecordMergeAsync(unit, survivor, absorbed, at, messageId, reason, moved.Select(m => $"{m.Kind}:{m.Value}").ToList());
        unit.CustomersToRebuild.Add(survivor);
        unit.CustomersToRebuild.Add(absorbed);
    }

    private static async Task RecordMergeAsync(
        UnitOfWork unit, long survivor, long absorbed, long at, string? messageId, string reason, IReadOnlyList<string> identifiers)
    {
        await unit.Connection.ExecuteAsync(
            "UPDATE customers SET merged_into = @survivor WHERE id = @absorbed", new { survivor, absorbed }, unit.Transaction);
        await unit.Connection.ExecuteAsync(
            """
            INSERT INTO merges (survivor_id, absorbed_id, at, message_id, reason, identifiers)
            VALUES (@survivor, @absorbed, @at, @messageId, @reason, @identifiers)
            """,
            new { survivor, absorbed, at, messageId, reason, identifiers = JsonSerializer.Serialize(identifiers) },
            unit.Transaction);
    }

    private static async Task RepointAsync(UnitOfWork unit, Identifier id, long customer, IReadOnlyCollection<long> holders)
    {
        // Found through the holders' customer_id index: events carry no index on their
        // identifier, because that index cost a random page write per ingested event for a
        // lookup only a component replay (an undo, two userIds meeting) needs.
        var others = holders.Where(h => h != customer).ToList();
        if (others.Count > 0)
        {
            await unit.Statement(
                    $"UPDATE events SET customer_id = @customer WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@holders")} AND id_kind = @kind AND id_value = @value",
                    "@customer", "@holders", "@kind", "@value")
                .ExecuteAsync(customer, ValueList.Of(unit.Dialect, others), id.Kind, id.Value);
        }

        var p = new { customer, id.Kind, id.Value };
        await unit.Connection.ExecuteAsync(
            "UPDATE orders SET customer_id = @customer WHERE id_kind = @Kind AND id_value = @Value", p, unit.Transaction);
    }

    /// <returns>True if the link is new or now has an earlier time (the graph changed, as far as this process knows).</returns>
    private async Task<bool> RecordLinkAsync(UnitOfWork unit, Identifier x, Identifier y, long at, string messageId, bool explicitAlias)
    {
        var (a, b) = x.CompareTo(y) <= 0 ? (x, y) : (y, x);
        if (_links.TryGetValue((a, b), out var seen) && seen <= at)
        {
            return false;
        }

        // Keep the earliest sighting: identity must not depend on arrival order.
        await unit.Statement(
            """
            INSERT INTO identity_links (a_kind, a_value, b_kind, b_value, at, message_id, explicit)
            VALUES (@ak, @av, @bk, @bv, @at, @messageId, @ex)
            ON CONFLICT (a_kind, a_value, b_kind, b_value) DO UPDATE
              SET at = excluded.at, message_id = excluded.message_id, explicit = excluded.explicit
              WHERE excluded.at < identity_links.at
            """,
            "@ak", "@av", "@bk", "@bv", "@at", "@messageId", "@ex")
            .ExecuteAsync(a.Kind, a.Value, b.Kind, b.Value, at, messageId, explicitAlias ? 1L : 0L);
        _links[(a, b)] = at;
        unit.OnRollback(() => _links.TryRemove((a, b), out _));
        return true;
    }

    /// <summary>The identifiers whose link to the strongest one (<paramref name="ids"/>[0]) an admin disabled.</summary>
    private static async Task<HashSet<Identifier>> DisabledPartnersAsync(UnitOfWork unit, IReadOnlyList<Identifier> ids)
    {
        var blocked = new HashSet<Identifier>();
        foreach (var other in ids.Skip(1))
        {
            var (a, b) = ids[0].CompareTo(other) <= 0 ? (ids[0], other) : (other, ids[0]);
            var disabled = await unit.Connection.ExecuteScalarAsync<long>(
                """
                SELECT COUNT(*) FROM identity_links
                WHERE a_kind = @ak AND a_value = @av AND b_kind = @bk AND b_value = @bv AND disabled_at IS NOT NULL
                """,
                new { ak = a.Kind, av = a.Value, bk = b.Kind, bv = b.Value },
                unit.Transaction);
            if (disabled > 0)
            {
                blocked.Add(other);
            }
        }

        return blocked;
    }

    private static async Task<HashSet<string>> UserIdsAsync(UnitOfWork unit, IReadOnlyList<long> customers)
    {
        if (customers.Count == 1)
        {
            // The usual case (a known visitor signs in): one reused statement, not new SQL text per customer.
            var found = await unit.Statement($"SELECT value FROM identifiers WHERE kind = '{Identifier.UserId}' AND customer_id = @customer", "@customer")
                .QueryAsync(customers[0]);
            return found.Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
        }

        var rows = await unit.Connection.QueryAsync<string>(
            $"SELECT value FROM identifiers WHERE kind = '{Identifier.UserId}' AND customer_id IN ({string.Join(",", customers)})",
            transaction: unit.Transaction);
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<long> CreateCustomerAsync(UnitOfWork unit, long at)
    {
        var id = await unit.Statement("INSERT INTO customers (created_at) VALUES (@at) RETURNING id", "@at").ScalarAsync(at);
        return Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task AssignAsync(UnitOfWork unit, Identifier id, long customer, long at)
    {
        await unit.Statement(
            """
            INSERT INTO identifiers (kind, value, customer_id, first_seen_at) VALUES (@kind, @value, @customer, @at)
            ON CONFLICT (kind, value) DO UPDATE SET customer_id = excluded.customer_id
            """,
            "@kind", "@value", "@customer", "@at")
            .ExecuteAsync(id.Kind, id.Value, customer, at);
        SetOwner(unit, id, customer);
    }

    private void SetOwner(UnitOfWork unit, Identifier id, long customer)
    {
        _owners[id] = customer;
        unit.OnRollback(() => _owners.TryRemove(id, out _));
    }
}
