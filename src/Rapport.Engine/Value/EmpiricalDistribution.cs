namespace Rapport.Engine.Value;

/// <summary>
/// A population's values kept small enough to store and to score newcomers against between
/// full recomputations: all values when there are at most <see cref="DefaultPoints"/>, else that
/// many evenly spaced quantiles (an error of at most about 1/points in a share).
/// </summary>
public sealed class EmpiricalDistribution
{
    public const int DefaultPoints = 1001;

    public EmpiricalDistribution(long count, long[] sample)
    {
        if (count < sample.Length || (count > 0 && sample.Length == 0))
        {
            throw new ArgumentException("A distribution's sample cannot be larger than its population or empty for a non-empty one.");
        }

        for (int i = 1; i < sample.Length; i++)
        {
            if (sample[i] < sample[i - 1])
            {
                throw new ArgumentException("A distribution's sample must be sorted ascending.", nameof(sample));
            }
        }

        Count = count;
        Sample = sample;
    }

    /// <summary>How many values the population had.</summary>
    public long Count { get; }

    /// <summary>Sorted ascending: every value (exact) or evenly spaced quantiles.</summary>
    public long[] Sample { get; }

    public bool IsExact => Count == Sample.Length;

    public static EmpiricalDistribution FromSorted(ReadOnlySpan<long> ascending, int points = DefaultPoints)
    {
        int n = ascending.Length;
        if (n <= points)
        {
            return new EmpiricalDistribution(n, ascending.ToArray());
        }

        var sample = new long[points];
        for (int j = 0; j < points; j++)
        {
            sample[j] = ascending[(int)((long)j * (n - 1) / (points - 1))];
        }

        return new EmpiricalDistribution(n, sample);
    }

    /// <summary>Share of the population strictly below <paramref name="value"/>.</summary>
    public double ShareBelow(long value)
    {
        int lower = LowerBound(value);
        return Share(lower);
    }

    /// <summary>Share of the population at or below <paramref name="value"/> (the percentile).</summary>
    public double ShareAtOrBelow(long value)
    {
        int upper = UpperBound(value);
        return Share(upper);
    }

    private double Share(int position)
    {
        int m = Sample.Length;
        if (m == 0)
        {
            return 0;
        }

        if (IsExact)
        {
            return (double)position / m;
        }

        // Sample point j stands for rank j·(n−1)/(m−1); a value between points j−1 and j sits
        // about half-way, hence the −0.5. Ends are exact: below every point is 0, above all is 1.
        return position == 0 ? 0 : position == m ? 1 : (position - 0.5) / (m - 1);
    }

    private int LowerBound(long value)
    {
        int lo = 0, hi = Sample.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Sample[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private int UpperBound(long value)
    {
        int lo = 0, hi = Sample.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Sample[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
