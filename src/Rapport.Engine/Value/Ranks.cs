namespace Rapport.Engine.Value;

/// <summary>
/// Where each value stands in its population: how many values are strictly lower and how many
/// are lower or equal. One sort of a copy (about 80 ms for 1M values); ties get the same ranks,
/// so equal customers always get equal scores.
/// </summary>
public static class Ranks
{
    /// <summary>
    /// Fills <paramref name="below"/> and <paramref name="atOrBelow"/> for every value and returns
    /// the values sorted ascending (reused for distributions and Pareto curves).
    /// </summary>
    public static long[] Compute(ReadOnlySpan<long> values, Span<int> below, Span<int> atOrBelow)
    {
        int n = values.Length;
        if (below.Length != n || atOrBelow.Length != n)
        {
            throw new ArgumentException("below and atOrBelow must have one slot per value.");
        }

        var sorted = values.ToArray();
        var index = new int[n];
        for (int i = 0; i < n; i++)
        {
            index[i] = i;
        }

        Array.Sort(sorted, index);
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            long v = sorted[start];
            while (end < n && sorted[end] == v)
            {
                end++;
            }

            for (int k = start; k < end; k++)
            {
                below[index[k]] = start;
                atOrBelow[index[k]] = end;
            }

            start = end;
        }

        return sorted;
    }

    /// <summary>The same for doubles (CLV); NaN is not allowed.</summary>
    public static void Compute(ReadOnlySpan<double> values, Span<int> below, Span<int> atOrBelow)
    {
        int n = values.Length;
        if (below.Length != n || atOrBelow.Length != n)
        {
            throw new ArgumentException("below and atOrBelow must have one slot per value.");
        }

        var sorted = values.ToArray();
        var index = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(sorted[i]))
            {
                throw new ArgumentException($"Value {i} is NaN; ranks need comparable numbers.", nameof(values));
            }

            index[i] = i;
        }

        Array.Sort(sorted, index);
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            double v = sorted[start];
            while (end < n && sorted[end] == v)
            {
                end++;
            }

            for (int k = start; k < end; k++)
            {
                below[index[k]] = start;
                atOrBelow[index[k]] = end;
            }

            start = end;
        }
    }
}
