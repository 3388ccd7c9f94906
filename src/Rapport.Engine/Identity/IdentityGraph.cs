namespace Rapport.Engine.Identity;

/// <summary>An edge of the identity graph: two identifiers seen together, first at <paramref name="At"/>.</summary>
/// <param name="Explicit">True for an alias call: the only way two userIds may join.</param>
public sealed record IdentityLink(Identifier A, Identifier B, long At, string MessageId, bool Explicit);

/// <summary>
/// Decides which identifiers form one customer. The answer depends only on the set of links,
/// never on the order they arrived: links are replayed by (time, message id) through a
/// union-find that refuses to join two groups holding different userIds (a shared device
/// must not merge two people), unless the link is an explicit alias.
/// </summary>
public static class IdentityGraph
{
    public static IReadOnlyList<IReadOnlyList<Identifier>> Resolve(
        IEnumerable<Identifier> identifiers,
        IEnumerable<IdentityLink> links)
    {
        var index = new Dictionary<Identifier, int>();
        var nodes = new List<Identifier>();
        int Node(Identifier id)
        {
            if (!index.TryGetValue(id, out var i))
            {
                i = nodes.Count;
                index[id] = i;
                nodes.Add(id);
            }

            return i;
        }

        foreach (var id in identifiers)
        {
            Node(id);
        }

        var ordered = links
            .OrderBy(l => l.At)
            .ThenBy(l => l.MessageId, StringComparer.Ordinal)
            .ThenBy(l => l.A)
            .ThenBy(l => l.B)
            .ToList();
        foreach (var l in ordered)
        {
            Node(l.A);
            Node(l.B);
        }

        var parent = Enumerable.Range(0, nodes.Count).ToArray();
        // The one userId a group holds (or null); two explicit aliases can make a set, kept as the first.
        var userIds = nodes.Select(n => n.Kind == Identifier.UserId ? new HashSet<string> { n.Value } : null).ToArray();

        int Find(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }

            return x;
        }

        foreach (var link in ordered)
        {
            var ra = Find(index[link.A]);
            var rb = Find(index[link.B]);
            if (ra == rb)
            {
                continue;
            }

            var ua = userIds[ra];
            var ub = userIds[rb];
            if (!link.Explicit && ua is not null && ub is not null && !ua.SetEquals(ub))
            {
                continue;
            }

            // Deterministic root: the lower node index (first seen in sorted order).
            var (root, child) = ra < rb ? (ra, rb) : (rb, ra);
            parent[child] = root;
            if (userIds[child] is { } childIds)
            {
                userIds[root] = userIds[root] is { } rootIds ? [.. rootIds, .. childIds] : childIds;
            }
        }

        return nodes
            .Select((n, i) => (n, root: Find(i)))
            .GroupBy(x => x.root)
            .Select(g => (IReadOnlyList<Identifier>)g.Select(x => x.n).Order().ToList())
            .OrderBy(g => g[0])
            .ToList();
    }
}
