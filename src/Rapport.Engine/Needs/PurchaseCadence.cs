namespace Rapport.Engine.Needs;

/// <summary>Repeat-purchase rhythm per product: the input of replenishment reminders.</summary>
public static class PurchaseCadence
{
    private const long Day = 86_400_000;

    /// <summary>
    /// Per SKU with at least one purchase: distinct purchase days (UTC; two orders on one day are
    /// one purchase, as CLV models merge same-day purchases), the median of the intervals
    /// between consecutive days, and next = last + median. Sorted by SKU (ordinal).
    /// </summary>
    public static IReadOnlyList<ProductCadence> Compute(IEnumerable<(string Sku, long At)> purchases)
    {
        var result = new List<ProductCadence>();
        foreach (var group in purchases.GroupBy(p => p.Sku, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var days = group.Select(p => Math.DivRem(p.At, Day, out var r) - (r < 0 ? 1 : 0)).Distinct().Order().ToArray();
            var last = group.Max(p => p.At);
            if (days.Length < 2)
            {
                result.Add(new ProductCadence(group.Key, days.Length, null, last, null));
                continue;
            }

            var intervals = new double[days.Length - 1];
            for (var i = 1; i < days.Length; i++)
            {
                intervals[i - 1] = days[i] - days[i - 1];
            }

            var median = Median(intervals);
            result.Add(new ProductCadence(group.Key, days.Length, median, last, last + (long)Math.Round(median * Day)));
        }

        return result;
    }

    /// <summary>
    /// The same from sale lines, without LINQ: each line's SKU and time copied out once (a line
    /// is a large struct, copied whole by every read through the list), an index array sorted by
    /// (SKU, time), then one pass per SKU (times in order, so distinct days come out sorted).
    /// </summary>
    public static IReadOnlyList<ProductCadence> Compute(IReadOnlyList<PurchaseLine> sales)
    {
        if (sales.Count == 0)
        {
            return [];
        }

        var skus = new string[sales.Count];
        var ats = new long[sales.Count];
        var order = new int[sales.Count];
        for (var i = 0; i < order.Length; i++)
        {
            var line = sales[i];
            (skus[i], ats[i], order[i]) = (line.Sku, line.At, i);
        }

        Array.Sort(order, (a, b) =>
        {
            var c = string.CompareOrdinal(skus[a], skus[b]);
            return c != 0 ? c : ats[a].CompareTo(ats[b]);
        });
        var result = new List<ProductCadence>();
        var days = new long[sales.Count];
        for (var start = 0; start < order.Length;)
        {
            var sku = skus[order[start]];
            var end = start + 1;
            while (end < order.Length && string.Equals(skus[order[end]], sku, StringComparison.Ordinal))
            {
                end++;
            }

            var n = 0;
            for (var i = start; i < end; i++)
            {
                var day = Math.DivRem(ats[order[i]], Day, out var r) - (r < 0 ? 1 : 0);
                if (n == 0 || days[n - 1] != day)
                {
                    days[n++] = day;
                }
            }

            var last = ats[order[end - 1]];
            if (n < 2)
            {
                result.Add(new ProductCadence(sku, n, null, last, null));
            }
            else
            {
                var intervals = new double[n - 1];
                for (var i = 1; i < n; i++)
                {
                    intervals[i - 1] = days[i] - days[i - 1];
                }

                var median = Median(intervals);
                result.Add(new ProductCadence(sku, n, median, last, last + (long)Math.Round(median * Day)));
            }

            start = end;
        }

        return result;
    }

    public static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
