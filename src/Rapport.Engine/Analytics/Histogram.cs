namespace Rapport.Engine.Analytics;

/// <summary>One bar: values in [From, To) (the last bar also holds everything at or above From).</summary>
public sealed record HistogramBin(long From, long To, long Count);

/// <summary>A distribution: bars plus the quantiles a reader asks for first.</summary>
public sealed record Distribution(
    long Count, long Total, long Min, long Max, long Median, long P90, long P99, IReadOnlyList<HistogramBin> Bins);

/// <summary>
/// Histograms of skewed money values (CLV). Equal-width bars from the minimum (or 0) up to the
/// 99th percentile, and one last open bar for the top 1%: a few whales would otherwise squash
/// every other bar into the first one.
/// </summary>
public static class Histogram
{
    public static Distribution Build(ReadOnlySpan<long> values, int bins = 20)
    {
        if (bins is < 2 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "bins must be between 2 and 200");
        }

        if (values.IsEmpty)
        {
            return new Distribution(0, 0, 0, 0, 0, 0, 0, []);
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        long total = 0;
        foreach (var v in sorted)
        {
            total += v;
        }

        // Nearest rank: the smallest value with at least q of the values at or below it.
        long Quantile(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        var low = Math.Min(0, sorted[0]);
        var high = Quantile(0.99);
        var width = Math.Max(1, NiceCeiling((high - low + bins - 2) / (bins - 1)));
        var result = new List<HistogramBin>(bins);
        int at = 0;
        for (int b = 0; b < bins; b++)
        {
            var from = low + (b * width);
            var to = b == bins - 1 ? sorted[^1] + 1 : from + width;
            long count = 0;
            while (at < sorted.Length && (b == bins - 1 || sorted[at] < to))
            {
                count++;
                at++;
            }

            result.Add(new HistogramBin(from, Math.Max(to, from), count));
        }

        return new Distribution(sorted.Length, total, sorted[0], sorted[^1], Quantile(0.5), Quantile(0.9), Quantile(0.99), result);
    }

    /// <summary>Rounds a bar width up to 1, 2 or 5 times a power of ten, so edges read well.</summary>
    public static long NiceCeiling(long x)
    {
        if (x <= 1)
        {
            return 1;
        }

        long power = 1;
        while (power * 10 < x)
        {
            power *= 10;
        }

        foreach (var m in new long[] { 1, 2, 5, 10 })
        {
            if (m * power >= x)
            {
                return m * power;
            }
        }

        return 10 * power;
    }
}
