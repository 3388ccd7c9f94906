namespace Rapport.Engine.Value;

/// <summary>A point of the Pareto (Lorenz-style) curve: the top CustomerShare of customers bring ValueShare of the total.</summary>
public sealed record ParetoPoint(double CustomerShare, double? ValueShare);

/// <summary>
/// How concentrated value is. <paramref name="ShareOfTop"/> is the share of the total that the
/// top <paramref name="Top"/> of customers bring (0.8 is the proverbial 80/20). Null when the
/// total is not positive (no meaningful share). A margin share above 1 is real: the customers
/// below the top lose money (Kaplan's "whale curve").
/// </summary>
public sealed record ParetoSummary(long Customers, long Total, double Top, double? ShareOfTop, IReadOnlyList<ParetoPoint> Curve);

/// <summary>The Pareto position of a population: share of a value from its top customers.</summary>
public static class Pareto
{
    /// <summary>
    /// Ranks customers by value, highest first, and reports the top share and a curve of
    /// <paramref name="points"/> evenly spaced customer shares (0, 1/(points−1), …, 1).
    /// The top k of n customers is k = ⌈share · n⌉.
    /// </summary>
    public static ParetoSummary Analyse(ReadOnlySpan<long> values, double top = 0.2, int points = 21)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return AnalyseSorted(sorted, top, points);
    }

    /// <summary>As <see cref="Analyse"/> on values already sorted ascending (no copy, no sort).</summary>
    public static ParetoSummary AnalyseSorted(ReadOnlySpan<long> ascending, double top = 0.2, int points = 21)
    {
        if (!(top > 0 && top < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, "top is a share of customers between 0 and 1, e.g. 0.2 for the top 20%.");
        }

        if (points is < 2 or > 1001)
        {
            throw new ArgumentOutOfRangeException(nameof(points), points, "points must be between 2 and 1001.");
        }

        int n = ascending.Length;
        // Customer counts at which to read the cumulative value, in increasing order.
        var at = new int[points + 1];
        for (int j = 0; j < points; j++)
        {
            at[j] = TopCount((double)j / (points - 1), n);
        }

        at[points] = TopCount(top, n);
        var order = Enumerable.Range(0, points + 1).OrderBy(j => at[j]).ToArray();
        var cumulative = new Int128[points + 1];
        Int128 sum = 0;
        int taken = 0, next = 0;
        while (next < order.Length && at[order[next]] == 0)
        {
            cumulative[order[next++]] = 0;
        }

        for (int i = n - 1; i >= 0 && next < order.Length; i--)
        {
            sum += ascending[i];
            taken++;
            while (next < order.Length && at[order[next]] == taken)
            {
                cumulative[order[next++]] = sum;
            }
        }

        Int128 total = 0;
        foreach (var v in ascending)
        {
            total += v;
        }

        double? Share(Int128 part) => total > 0 ? (double)part / (double)total : null;
        var curve = new ParetoPoint[points];
        for (int j = 0; j < points; j++)
        {
            curve[j] = new ParetoPoint((double)j / (points - 1), Share(cumulative[j]));
        }

        long totalLong = total > long.MaxValue ? long.MaxValue : total < long.MinValue ? long.MinValue : (long)total;
        return new ParetoSummary(n, totalLong, top, n == 0 ? null : Share(cumulative[points]), curve);
    }

    /// <summary>How many customers make the top share: ⌈share · n⌉ (a tiny tolerance absorbs 0.2 · 10 = 2.0000000000000004).</summary>
    public static int TopCount(double share, int n) => (int)Math.Min(n, Math.Ceiling(share * n - 1e-9));
}
