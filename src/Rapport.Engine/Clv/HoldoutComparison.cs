namespace Rapport.Engine.Clv;

/// <summary>Holdout check for one calibration frequency bucket (x = k, or x &gt;= k for the last).</summary>
public sealed record FrequencyBucket(string Label, int Customers, double ActualMean, double PredictedMean);

/// <summary>
/// Predicted against actual repeat purchases in the holdout period: the standard validation of a
/// "buy till you die" model (FHL 2005, figure 4). Predictions are conditional expectations
/// E[Y(holdout) | x, t_x, T], so they use each customer's calibration history.
/// </summary>
public sealed record HoldoutComparison(
    double HoldoutWeeks,
    int Customers,
    double ActualTotal,
    double PredictedTotal,
    IReadOnlyList<FrequencyBucket> ByFrequency)
{
    /// <summary>Compares; the last bucket gathers x &gt;= <paramref name="censorAt"/> (7 in the literature).</summary>
    public static HoldoutComparison Compute(
        IRepeatPurchaseModel model, ReadOnlySpan<CustomerSummary> customers, double holdoutWeeks, int censorAt = 7)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(holdoutWeeks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(censorAt);
        var count = new int[censorAt + 1];
        var actual = new double[censorAt + 1];
        var predicted = new double[censorAt + 1];
        foreach (var c in customers)
        {
            int k = Math.Min(c.Frequency, censorAt);
            count[k]++;
            actual[k] += c.HoldoutFrequency;
            predicted[k] += model.ConditionalExpectedPurchases(holdoutWeeks, c.Frequency, c.Recency, c.Age);
        }

        var buckets = new FrequencyBucket[censorAt + 1];
        for (int k = 0; k <= censorAt; k++)
        {
            string label = k < censorAt ? k.ToString() : $"{k}+";
            buckets[k] = count[k] == 0
                ? new FrequencyBucket(label, 0, double.NaN, double.NaN)
                : new FrequencyBucket(label, count[k], actual[k] / count[k], predicted[k] / count[k]);
        }

        return new HoldoutComparison(holdoutWeeks, customers.Length, actual.Sum(), predicted.Sum(), buckets);
    }
}
