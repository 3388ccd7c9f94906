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

            var median = MedianInPlace(intervals);
            result.Add(new ProductCadence(group.Key, days.Length, median, last, last + (long)Math.Round(median * Day)));
        }

        return result;
    }

    /// <summary>
    /// The same from sale lines, without LINQ: each line's SKU and time copied out once (a line
    /// is a large struct, copied whole by every read through the list), an index sorted by
    /// (SKU, time), then one pass per SKU (times in order, so distinct days come out sorted).
    /// The working arrays are the thread's own, reused customer after customer: as four new
    /// arrays per customer they were a seventh of a million-customer recomputation's garbage.
    /// </summary>
    public static IReadOnlyList<ProductCadence> Compute(IReadOnlyList<PurchaseLine> sales)
    {
        var count = sales.Count;
        if (count == 0)
        {
            return [];
        }

        var w = t_work ??= new Work();
        w.Ensure(count);
        var (skus, ats, order, days) = (w.Skus, w.Ats, w.Order, w.Days);
        for (var i = 0; i < count; i++)
        {
            var line = sales[i];
            (skus[i], ats[i], order[i]) = (line.Sku, line.At, i);
        }

        order.AsSpan(0, count).Sort((a, b) =>
        {
            var c = string.CompareOrdinal(skus[a], skus[b]);
            return c != 0 ? c : ats[a].CompareTo(ats[b]);
        });

        // One entry per SKU, the array sized exactly (counted first): a list grown by doubling
        // copied a million customers' cadences over and over.
        var groups = 1;
        for (var i = 1; i < count; i++)
        {
            groups += string.Equals(skus[order[i]], skus[order[i - 1]], StringComparison.Ordinal) ? 0 : 1;
        }

        var result = new ProductCadence[groups];
        var g = 0;
        for (var start = 0; start < count;)
        {
            var sku = skus[order[start]];
            var end = start + 1;
            while (end < count && string.Equals(skus[order[end]], sku, StringComparison.Ordinal))
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
                result[g++] = new ProductCadence(sku, n, null, last, null);
            }
            else
            {
                var intervals = w.Intervals;
                for (var i = 1; i < n; i++)
                {
                    intervals[i - 1] = days[i] - days[i - 1];
                }

                var median = MedianInPlace(intervals.AsSpan(0, n - 1));
                result[g++] = new ProductCadence(sku, n, median, last, last + (long)Math.Round(median * Day));
            }

            start = end;
        }

        Array.Clear(skus, 0, count); // no SKU strings kept alive by the thread's arrays
        return result;
    }

    [ThreadStatic]
    private static Work? t_work;

    /// <summary>One thread's working arrays for <see cref="Compute(IReadOnlyList{PurchaseLine})"/>, grown to the largest history seen.</summary>
    private sealed class Work
    {
        public string[] Skus { get; private set; } = [];

        public long[] Ats { get; private set; } = [];

        public int[] Order { get; private set; } = [];

        public long[] Days { get; private set; } = [];

        public double[] Intervals { get; private set; } = [];

        public void Ensure(int count)
        {
            if (Skus.Length >= count)
            {
                return;
            }

            var size = Math.Max(count, 64);
            (Skus, Ats, Order, Days, Intervals) = (new string[size], new long[size], new int[size], new long[size], new double[size]);
        }
    }

    /// <summary>The median, sorting <paramref name="values"/> themselves (scratch the caller owns: both forms of Compute build their intervals for it).</summary>
    private static double MedianInPlace(Span<double> values)
    {
        values.Sort();
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
