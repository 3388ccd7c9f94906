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

    public static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
