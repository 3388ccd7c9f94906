namespace Rapport.Core.Value;

/// <summary>What to fit: the purchase model, and how to value the forecast.</summary>
/// <param name="Model">bgnbd or pareto-nbd (spend is always Gamma-Gamma).</param>
/// <param name="HorizonWeeks">Weeks of future purchases to value, 1 to 520.</param>
/// <param name="DiscountRate">Annual discount rate, 0 to 1 (0.1 = 10% a year).</param>
/// <param name="Margin">Share of spend that is profit, (0, 1]; null = the margin the store's data shows (see docs/value.md).</param>
public sealed record ClvFitRequest(string Model = ClvFitRequest.BgNbd, int HorizonWeeks = 52, double DiscountRate = 0.10, double? Margin = null)
{
    public const string BgNbd = "bgnbd";
    public const string ParetoNbd = "pareto-nbd";

    /// <summary>What is wrong with the request, or null.</summary>
    public string? Validate()
    {
        if (Model is not (BgNbd or ParetoNbd))
        {
            return $"model '{Model}' is not a purchase model; use {BgNbd} or {ParetoNbd}.";
        }

        if (HorizonWeeks is < 1 or > 520)
        {
            return $"horizonWeeks {HorizonWeeks} must be between 1 and 520, e.g. 52 for a year.";
        }

        if (!(DiscountRate is >= 0 and <= 1))
        {
            return $"discountRate {DiscountRate} must be between 0 and 1; it is an annual rate as a fraction, e.g. 0.1 for 10%.";
        }

        if (Margin is { } m && !(m is > 0 and <= 1))
        {
            return $"margin {m} must be in (0, 1]; it is the share of spend that is profit, e.g. 0.3 (leave it out to use the margin your data shows).";
        }

        return null;
    }
}

/// <summary>One CLV model version (a clv_models row).</summary>
public sealed record ClvModelInfo(
    long Id,
    string Kind,
    string Status,
    IReadOnlyDictionary<string, double>? Parameters,
    double? LogLikelihood,
    double? SpendLogLikelihood,
    long Customers,
    DateOnly? CalibrationEnd,
    int HorizonWeeks,
    double DiscountRate,
    double? Margin,
    DateTimeOffset FittedAt,
    string? Message,
    bool Current);

/// <summary>What a fit did. A failed fit has Model.Status "failed" and Model.Message, and no predictions.</summary>
public sealed record ClvFitOutcome(ClvModelInfo Model, long Predictions, decimal TotalClv, long? TopCustomerId, decimal? TopClv, double Seconds)
{
    public bool Fitted => Model.Status == ClvRefit.Fitted;
}
