using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Identity;

/// <summary>
/// Loads the connected part of the identity graph around some identifiers: every identifier
/// reachable through enabled links or through sharing a customer, with its current owner.
/// Refused links are followed too, because a late, earlier-dated event can make them win.
/// </summary>
internal static class IdentityComponentLoader
{
    public static async Task<(List<Identifier> Nodes, List<IdentityLink> Links, Dictionary<Identifier, long> Owners)> LoadAsync(
        UnitOfWork unit, IReadOnlyList<Identifier> seeds, IReadOnlyList<long> seedCustomers)
    {
        var nodes = new HashSet<Identifier>(seeds);
        var owners = new Dictionary<Identifier, long>();
        var links = new Dictionary<(Identifier, Identifier), IdentityLink>();
        var customersSeen = new HashSet<long>();
        var frontier = new Queue<Identifier>(seeds);
        var customerQueue = new Queue<long>(seedCustomers);

        while (frontier.Count > 0 || customerQueue.Count > 0)
        {
            while (customerQueue.Count > 0)
            {
                var customer = customerQueue.Dequeue();
                if (!customersSeen.Add(customer))
                {
                    continue;
                }

                var members = await unit.Connection.QueryAsync<(string Kind, string Value)>(
                    "SELECT kind, value FROM identifiers WHERE customer_id = @customer", new { customer }, unit.Transaction);
                foreach (var (kind, value) in members)
                {
                    var id = new Identifier(kind, value);
                    owners[id] = customer;
                    if (nodes.Add(id))
                    {
                        frontier.Enqueue(id);
                    }
                }
            }

            if (frontier.Count == 0)
            {
                break;
            }

            var next = frontier.Dequeue();
            if (!owners.ContainsKey(next))
            {
                var owner = await unit.Connection.QuerySingleOrDefaultAsync<long?>(
                    "SELECT customer_id FROM identifiers WHERE kind = @Kind AND value = @Value", new { next.Kind, next.Value }, unit.Transaction);
                if (owner is { } o)
                {
                    owners[next] = o;
                    customerQueue.Enqueue(o);
                }
            }

            var rows = await unit.Connection.QueryAsync<LinkRow>(
                """
                SELECT a_kind AS AKind, a_value AS AValue, b_kind AS BKind, b_value AS BValue, at AS At,
                       message_id AS MessageId, explicit AS IsExplicit
                FROM identity_links
                WHERE disabled_at IS NULL AND ((a_kind = @Kind AND a_value = @Value) OR (b_kind = @Kind AND b_value = @Value))
                """,
                new { next.Kind, next.Value },
                unit.Transaction);
            foreach (var row in rows)
            {
                var link = new IdentityLink(
                    new Identifier(row.AKind, row.AValue), new Identifier(row.BKind, row.BValue), row.At, row.MessageId, row.IsExplicit != 0);
                links[(link.A, link.B)] = link;
                foreach (var end in new[] { link.A, link.B })
                {
                    if (nodes.Add(end))
                    {
                        frontier.Enqueue(end);
                    }
                }
            }
        }

        return (nodes.ToList(), links.Values.ToList(), owners);
    }

    private sealed record LinkRow(string AKind, string AValue, string BKind, string BValue, long At, string MessageId, long IsExplicit);
}
