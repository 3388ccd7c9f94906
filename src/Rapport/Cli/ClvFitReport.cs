using System.Globalization;
using System.Text;
using System.Text.Json;
using Rapport.Engine.Clv;

namespace Rapport.Cli;

/// <summary>What `rapport clv fit` prints, as text for people or JSON for scripts.</summary>
internal sealed record ClvFitReport(
    IRepeatPurchaseModel Model,
    double LogLikelihood,
    ModelFit<GammaGammaModel> Spend,
    CustomerSummary[] Customers,
    DateOnly CalibrationEnd,
    DateOnly? HoldoutEnd,
    HoldoutComparison? Holdout)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public string ToText()
    {
        var ci = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        int repeat = Customers.Count(c => c.Frequency > 0);
        text.AppendLine(ci, $"{Model.Name} on {Customers.Length} customers ({repeat} with repeat purchases), calibration to {CalibrationEnd:yyyy-MM-dd}, weeks as the time unit");
        text.AppendLine(ci, $"  {string.Join("  ", Model.Parameters.Select(p => $"{p.Key} = {p.Value:G6}"))}");
        text.AppendLine(ci, $"  log-likelihood = {LogLikelihood:F2}");
        var s = Spend.Model;
        text.AppendLine(ci, $"Gamma-Gamma spend on {Spend.Customers} repeat buyers (mean of each one's repeat purchases)");
        text.AppendLine(ci, $"  p = {s.P:G6}  q = {s.Q:G6}  gamma = {s.Gamma:G6}");
        text.AppendLine(ci, $"  log-likelihood = {Spend.LogLikelihood:F2}  mean spend per transaction = {s.PopulationMeanSpend:F2}");
        if (Holdout is not { } h)
        {
            return text.ToString();
        }

        double error = (h.PredictedTotal - h.ActualTotal) / h.ActualTotal;
        text.AppendLine(ci, $"Holdout {CalibrationEnd.AddDays(1):yyyy-MM-dd} to {HoldoutEnd:yyyy-MM-dd} ({h.HoldoutWeeks:0.##} weeks): repeat purchases actual {h.ActualTotal:F0}, predicted {h.PredictedTotal:F1} ({error:+0.0%;-0.0%})");
        text.AppendLine("  x in calibration  customers  actual per customer  predicted per customer");
        foreach (var b in h.ByFrequency)
        {
            text.AppendLine(ci, $"  {b.Label,-16}  {b.Customers,9}  {b.ActualMean,19:F4}  {b.PredictedMean,22:F4}");
        }

        return text.ToString();
    }

    public string ToJson()
    {
        var document = new
        {
            model = Model.Name,
            calibrationEnd = CalibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            customers = Customers.Length,
            repeatBuyers = Customers.Count(c => c.Frequency > 0),
            parameters = Model.Parameters.ToDictionary(p => p.Key, p => p.Value),
            logLikelihood = LogLikelihood,
            spend = new
            {
                model = "Gamma-Gamma",
                customers = Spend.Customers,
                parameters = Spend.Model.Parameters.ToDictionary(p => p.Key, p => p.Value),
                logLikelihood = Spend.LogLikelihood,
                meanSpend = Finite(Spend.Model.PopulationMeanSpend),
            },
            holdout = Holdout is not { } h ? null : new
            {
                end = HoldoutEnd?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                weeks = h.HoldoutWeeks,
                actualTotal = h.ActualTotal,
                predictedTotal = h.PredictedTotal,
                byFrequency = h.ByFrequency.Select(b => new
                {
                    frequency = b.Label,
                    customers = b.Customers,
                    actualMean = Finite(b.ActualMean),
                    predictedMean = Finite(b.PredictedMean),
                }),
            },
        };
        return JsonSerializer.Serialize(document, JsonOptions) + Environment.NewLine;
    }

    // JSON has no NaN or infinity: an empty bucket or a spend model without a mean becomes null.
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
