namespace Rapport.Engine.Value;

/// <summary>
/// Recency, frequency and monetary scores by quantile (quintiles by default). A customer's
/// score on a measure is 1 + ⌊buckets · (share of the population with a strictly lower
/// value)⌋, so 1 is the lowest bucket, <c>buckets</c> the highest, equal values always share a
/// score, and a heavily tied value (most customers bought once) fills one bucket and leaves the
/// ones it spans empty rather than splitting equal customers at random.
/// Recency is scored on the time of the last purchase (later is better), frequency on the
/// number of orders, monetary on net revenue.
/// </summary>
public static class Rfm
{
    public const int DefaultBuckets = 5;

    /// <summary>Scores every value against the others; <paramref name="scores"/> gets 1..buckets.</summary>
    public static void Score(ReadOnlySpan<long> values, Span<byte> scores, int buckets = DefaultBuckets)
    {
        CheckBuckets(buckets);
        int n = values.Length;
        if (scores.Length != n)
        {
            throw new ArgumentException("scores must have one slot per value.", nameof(scores));
        }

        var below = new int[n];
        var atOrBelow = new int[n];
        Ranks.Compute(values, below, atOrBelow);
        for (int i = 0; i < n; i++)
        {
            scores[i] = FromShareBelow((double)below[i] / n, buckets);
        }
    }

    /// <summary>The score of a value with this share of the population strictly below it.</summary>
    public static byte FromShareBelow(double shareBelow, int buckets = DefaultBuckets)
    {
        int s = 1 + (int)Math.Floor(buckets * Math.Clamp(shareBelow, 0, 1));
        return (byte)Math.Min(s, buckets);
    }

    /// <summary>Buckets must fit the stored BIGINT score and make sense: 2 to 100.</summary>
    public static void CheckBuckets(int buckets)
    {
        if (buckets is < 2 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "RFM needs 2 to 100 buckets (5 gives quintiles, 10 deciles).");
        }
    }
}
