namespace Rapport.Engine.Analytics;

/// <summary>One decile of customers by predicted CLV (1 = lowest) with the sums the store counted, in 1/10,000 units.</summary>
public sealed record ClvDecileTotals(int Decile, long Customers, long PredictedE4, long ActualE4);

/// <summary>One decile's means per customer and the share of all actual spend it brought.</summary>
public sealed record ClvDecile(int Decile, long Customers, double PredictedMeanE4, double ActualMeanE4, double? ShareOfActual);

/// <summary>
/// Predicted against actual: the deciles, how much of the prediction horizon has been observed
/// since the prediction date, and actual over predicted for everyone (which should approach the
/// share of the horizon elapsed, roughly, if the model is right: CLV is spread over the horizon).
/// </summary>
public sealed record ClvCalibrationResult(
    IReadOnlyList<ClvDecile> Deciles, double ObservedWeeks, double? HorizonElapsed, long PredictedE4, long ActualE4, double? ActualOverPredicted, double? TopDecileShareOfActual);

public static class ClvCalibration
{
    public static ClvCalibrationResult Build(IReadOnlyList<ClvDecileTotals> deciles, long predictionMs, long nowMs, int horizonWeeks)
    {
        var actual = deciles.Sum(d => d.ActualE4);
        var predicted = deciles.Sum(d => d.PredictedE4);
        var rows = deciles.OrderBy(d => d.Decile).Select(d => new ClvDecile(
            d.Decile,
            d.Customers,
            d.Customers == 0 ? 0 : (double)d.PredictedE4 / d.Customers,
            d.Customers == 0 ? 0 : (double)d.ActualE4 / d.Customers,
            actual == 0 ? null : (double)d.ActualE4 / actual)).ToList();
        var weeks = Math.Max(0, nowMs - predictionMs) / (7 * 86_400_000.0);
        return new ClvCalibrationResult(
            rows,
            weeks,
            horizonWeeks > 0 ? Math.Min(1, weeks / horizonWeeks) : null,
            predicted,
            actual,
            predicted == 0 ? null : (double)actual / predicted,
            rows.Count == 0 ? null : rows[^1].ShareOfActual);
    }
}
