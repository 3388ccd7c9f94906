using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Identity;

/// <summary>Linking identifiers, merging customers, re-pointing history and replaying a component.</summary>
public sealed partial class IdentityResolver
{
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
