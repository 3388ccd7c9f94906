namespace Rapport.Engine.Needs;

/// <summary>
/// Renumbers a new cluster fit so that its clusters keep the numbers of the previous fit's
/// clusters they mostly took over. k-means numbers its clusters by the order of its starting
/// points, so without this a refit of nearly the same population would move almost every
/// customer to "another" cluster number, and every customer's row would be rewritten for nothing.
/// </summary>
public static class ClusterAlignment
{
    /// <summary>
    /// Greedy matching on overlap: the (previous, new) pair sharing the most customers first, then
    /// the next among the numbers still free. New clusters that took over none keep the smallest
    /// free numbers, in their own order. Previous numbers of k or more are not reused.
    /// </summary>
    /// <param name="previous">Per customer, the number in the previous fit, or -1 (none, or a fit that no longer counts).</param>
    /// <param name="assignments">Per customer, the cluster of the new fit (0 to k-1).</param>
    /// <returns>For each cluster of the new fit, its number.</returns>
    public static int[] Align(IReadOnlyList<int> previous, IReadOnlyList<int> assignments, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(previous.Count, assignments.Count, nameof(previous));
        var overlap = new long[k, k];
        for (var i = 0; i < assignments.Count; i++)
        {
            if (previous[i] >= 0 && previous[i] < k)
            {
                overlap[previous[i], assignments[i]]++;
            }
        }

        var pairs = new List<(long Count, int Old, int New)>();
        for (var o = 0; o < k; o++)
        {
            for (var n = 0; n < k; n++)
            {
                if (overlap[o, n] > 0)
                {
                    pairs.Add((overlap[o, n], o, n));
                }
            }
        }

        pairs.Sort(static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : a.Old != b.Old ? a.Old.CompareTo(b.Old) : a.New.CompareTo(b.New));
        var map = Enumerable.Repeat(-1, k).ToArray();
        var taken = new bool[k];
        foreach (var (_, o, n) in pairs)
        {
            if (map[n] < 0 && !taken[o])
            {
                (map[n], taken[o]) = (o, true);
            }
        }

        var free = 0;
        for (var n = 0; n < k; n++)
        {
            if (map[n] < 0)
            {
                while (taken[free])
                {
                    free++;
                }

                (map[n], taken[free]) = (free, true);
            }
        }

        return map;
    }
}
