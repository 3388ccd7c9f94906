using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Analytics;

namespace Rapport.Core.Analytics;

/// <summary>Net revenue (sales less returns) and sales orders placed in one month.</summary>
public sealed record RevenuePoint(string Month, DateOnly Start, decimal Revenue, long Orders);

/// <summary>How many buyers a value tier holds now.</summary>
public sealed record TierSize(string Name, long Customers);

/// <summary>
/// The overview's headline figures. Active customers bought in the <see cref="ActiveDays"/> days
/// up to <see cref="DataThrough"/> (the latest order), so a store of old orders still reads sensibly.
/// </summary>
public sealed record OverviewFigures(
    long Customers,
    long Buyers,
    long Orders,
    decimal NetRevenue,
    long ActiveCustomers,
    int ActiveDays,
    DateTimeOffset? DataThrough,
    IReadOnlyList<RevenuePoint> RevenueByMonth,
    IReadOnlyList<TierSize> Tiers);

/// <summary>One cohort row: its size, how many came back k periods later, and that as a share (null = not yet observed).</summary>
public sealed record CohortRow(string Cohort, DateOnly Start, long Customers, IReadOnlyList<long?> Returning, IReadOnlyList<double?> Shares);

/// <summary>Retention by first-purchase cohort, and the repeat-purchase rate over every buyer.</summary>
public sealed record CohortReport(string Period, int Offsets, long Buyers, long RepeatBuyers, double? RepeatRate, IReadOnlyList<CohortRow> Cohorts)
{
    public static CohortReport From(CohortTable t) => new(
        t.Period.ToString().ToLowerInvariant(),
        t.Offsets,
        t.Buyers,
        t.RepeatBuyers,
        t.RepeatRate,
        t.Cohorts.Select(c => new CohortRow(c.Label, c.Start, c.Customers, c.Returning, Enumerable.Range(1, t.Offsets).Select(c.Share).ToList())).ToList());
}

/// <summary>The repeat-purchase rate alone: buyers with two or more orders over all buyers.</summary>
public sealed record RepeatPurchaseReport(long Buyers, long RepeatBuyers, double? RepeatRate);

/// <summary>One bar of the CLV histogram, in currency units: [From, To).</summary>
public sealed record ClvBin(decimal From, decimal To, long Customers);

/// <summary>The distribution of the current model's CLV predictions; Model is null when no model is fitted yet.</summary>
public sealed record ClvDistributionReport(
    long? Model, int? HorizonWeeks, long Customers, decimal Total, decimal Median, decimal P90, decimal P99, decimal Max, IReadOnlyList<ClvBin> Bins)
{
    public static ClvDistributionReport From(long? model, int? horizon, Distribution d) => new(
        model,
        horizon,
        d.Count,
        Money.FromStorage(d.Total),
        Money.FromStorage(d.Median),
        Money.FromStorage(d.P90),
        Money.FromStorage(d.P99),
        Money.FromStorage(d.Max),
        d.Bins.Select(b => new ClvBin(Money.FromStorage(b.From), Money.FromStorage(b.To), b.Count)).ToList());
}

/// <summary>A customer among those who brought the most net revenue, as the customers page lists them.</summary>
public sealed record TopCustomer(long Id, string? Name, string? Email, string? Tier, long Orders, decimal NetRevenue, DateTimeOffset? LastOrderAt);

/// <summary>Everything the overview, analytics and customers pages show, computed together in one pass over the orders.</summary>
public sealed record AnalyticsSnapshot(
    DateTimeOffset ComputedAt,
    TimeSpan Took,
    OverviewFigures Overview,
    CohortReport Cohorts,
    ClvDistributionReport Clv,
    ParetoReply Pareto,
    IReadOnlyList<TopCustomer> TopCustomers);
