namespace Rapport.Engine.Value;

/// <summary>
/// Percentiles in [0, 1] with 1 the most valuable: the share of the population whose value is
/// at most this one's. The top customer gets 1; the bottom one 1/n (or the share of its tie).
/// </summary>
public static class Percentiles
{
    public static void Rank(ReadOnlySpan<long> values, Span<double> result)
    {
        int n = values.Length;
        var below = new int[n];
        var atOrBelow = new int[n];
        Ranks.Compute(values, below, atOrBelow);
        Fill(atOrBelow, result);
    }

    public static void Rank(ReadOnlySpan<double> values, Span<double> result)
    {
        int n = values.Length;
        var below = new int[n];
        var atOrBelow = new int[n];
        Ranks.Compute(values, below, atOrBelow);
        Fill(atOrBelow, result);
    }

    internal static void Fill(ReadOnlySpan<int> atOrBelow, Span<double> result)
    {
        if (result.Length != atOrBelow.Length)
        {
            throw new ArgumentException("result must have one slot per value.", nameof(result));
        }

        double n = atOrBelow.Length;
        for (int i = 0; i < atOrBelow.Length; i++)
        {
            result[i] = atOrBelow[i] / n;
        }
    }
}
