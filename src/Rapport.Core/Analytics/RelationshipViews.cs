using Rapport.Engine.Analytics;
using Rapport.Engine.Decisioning;

namespace Rapport.Core.Analytics;

/// <summary>The funnel from From through Through (UTC days, both included) and the cart-abandonment rate.</summary>
public sealed record FunnelReport(DateOnly From, DateOnly Through, IReadOnlyList<FunnelStep> Steps, long AddedToCart, long AddedAndOrdered, double? CartAbandonmentRate);

/// <summary>One group of the channel comparison, money in currency units.</summary>
public sealed record ChannelGroupReport(
    string Group, long Customers, long Buyers, long Orders, decimal NetRevenue,
    decimal? RevenuePerCustomer, double? OrdersPerCustomer, decimal? RevenuePerBuyer, double? OrdersPerBuyer)
{
    public static ChannelGroupReport From(ChannelGroupFigures f) => new(
        f.Group, f.Customers, f.Buyers, f.Orders, Storage.Money.FromStorage(f.RevenueE4),
        Units(f.RevenuePerCustomerE4), f.OrdersPerCustomer, Units(f.RevenuePerBuyerE4), f.OrdersPerBuyer);

    internal static decimal? Units(double? e4) => e4 is { } v ? Math.Round((decimal)v / 10_000m, 2) : null;
}

/// <summary>Cohorts by first purchase or first visit with the share back within each window of <see cref="Days"/> days.</summary>
public sealed record ReturnWindowReport(string Basis, string Period, IReadOnlyList<int> Days, IReadOnlyList<ReturnWindowCohort> Cohorts);

/// <summary>Multichannel against single-channel customers (every channel a customer was seen on, in events and orders, all time).</summary>
public sealed record ChannelMixReport(ChannelGroupReport Multichannel, ChannelGroupReport SingleChannel, double? SpendRatio, double? FrequencyRatio);

/// <summary>One predicted-CLV decile (1 = lowest): mean predicted CLV and mean actual net spend since the prediction date.</summary>
public sealed record ClvDecileReport(int Decile, long Customers, decimal PredictedMean, decimal ActualMean, double? ShareOfActual);

/// <summary>
/// Predicted CLV of one stored model against what its customers actually spent from the
/// prediction date (the day after calibration) until now. Model is null when no model has predictions.
/// </summary>
public sealed record ClvCalibrationReport(
    long? Model, IReadOnlyList<long> Models, DateOnly? PredictedFrom, int? HorizonWeeks, double ObservedWeeks, double? HorizonElapsed,
    decimal Predicted, decimal Actual, double? ActualOverPredicted, double? TopDecileShareOfActual, IReadOnlyList<ClvDecileReport> Deciles);

/// <summary>One action's (or journey's) treated group against its control group, and its shown decisions' acceptance.</summary>
public sealed record UpliftRow(string Subject, long Id, string Name, string Kind, Uplift Uplift, long Accepted, long Ignored, double? Acceptance);

/// <summary>Acceptance by kind of action: accepted over accepted + ignored among shown (not control) decisions.</summary>
public sealed record AcceptanceRow(string Kind, long Shown, long Accepted, long Ignored, long Open, double? Acceptance);

/// <summary>Uplift of every action (and journey, once journeys log a control group) and acceptance per kind.</summary>
public sealed record UpliftReport(IReadOnlyList<UpliftRow> Rows, IReadOnlyList<AcceptanceRow> Acceptance);

/// <summary>The reciprocity balance (given − received, currency units) across every customer: quantiles and a histogram.</summary>
public sealed record ReciprocityDistributionReport(
    long Customers, long GaveMore, long ReceivedMore, decimal Median, decimal P90, decimal Min, decimal Max, IReadOnlyList<ClvBin> Bins);

/// <summary>The health rules as configured and each check made now; <see cref="Alarms"/> are the firing ones.</summary>
public sealed record HealthReport(AlarmRules Rules, IReadOnlyList<RuleCheck> Checks)
{
    public IReadOnlyList<RuleCheck> Alarms => Checks.Where(c => c.Firing).ToList();
}
