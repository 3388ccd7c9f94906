using Rapport.Core.Storage;
using Rapport.Engine.Value;

namespace Rapport.Core.Value;

/// <summary>
/// One customer_value row as stored (money in 1/10,000 units, times in Unix ms), for code that
/// keeps value in memory (segments, decisioning). <see cref="Figures"/> gives the formulas.
/// </summary>
public sealed record CustomerValueSnapshot(
    long CustomerId,
    long Orders,
    long Returns,
    long RevenueE4,
    long CostE4,
    long DiscountE4,
    long ReturnsE4,
    long RewardCostE4,
    long ServiceCostE4,
    long MarginE4,
    long AovE4,
    long? FirstOrderAt,
    long? LastOrderAt,
    long? RfmR,
    long? RfmF,
    long? RfmM,
    string? Tier,
    double? RevenuePercentile,
    double? MarginPercentile,
    long UpdatedAt)
{
    /// <summary>The columns in the order of the record, for SELECT lists and bulk writes.</summary>
    public static readonly string[] Columns =
    [
        "customer_id", "orders", "returns", "revenue_e4", "cost_e4", "discount_e4", "returns_e4", "reward_cost_e4",
        "service_cost_e4", "margin_e4", "aov_e4", "first_order_at", "last_order_at", "rfm_r", "rfm_f", "rfm_m", "tier",
        "revenue_percentile", "margin_percentile", "updated_at",
    ];

    public CustomerValueFigures Figures => new(
        Orders, Returns, RevenueE4, CostE4, DiscountE4, ReturnsE4, RewardCostE4, ServiceCostE4, FirstOrderAt, LastOrderAt);

    public long NetRevenueE4 => RevenueE4 - DiscountE4 - ReturnsE4;

    internal object?[] ToRow() =>
    [
        CustomerId, Orders, Returns, RevenueE4, CostE4, DiscountE4, ReturnsE4, RewardCostE4, ServiceCostE4, MarginE4, AovE4,
        FirstOrderAt, LastOrderAt, RfmR, RfmF, RfmM, Tier, RevenuePercentile, MarginPercentile, UpdatedAt,
    ];

    public CustomerValueView ToView() => new(
        Orders,
        Returns,
        Money.FromStorage(RevenueE4),
        Money.FromStorage(CostE4),
        Money.FromStorage(DiscountE4),
        Money.FromStorage(ReturnsE4),
        Money.FromStorage(RewardCostE4),
        Money.FromStorage(ServiceCostE4),
        Money.FromStorage(NetRevenueE4),
        Money.FromStorage(MarginE4),
        Money.FromStorage(AovE4),
        UnixTime.FromStorage(FirstOrderAt),
        UnixTime.FromStorage(LastOrderAt),
        RfmR is { } r && RfmF is { } f && RfmM is { } m ? new RfmView((int)r, (int)f, (int)m) : null,
        Tier,
        RevenuePercentile,
        MarginPercentile,
        UnixTime.FromStorage(UpdatedAt));
}

/// <summary>RFM scores (1 = lowest bucket); Code is "545"-style for quintiles.</summary>
public sealed record RfmView(int R, int F, int M)
{
    public string Code => $"{R}{F}{M}";
}

/// <summary>A customer's value as the API shows it (docs/value.md defines every field).</summary>
public sealed record CustomerValueView(
    long Orders,
    long Returns,
    decimal Revenue,
    decimal CostOfGoods,
    decimal Discounts,
    decimal Returned,
    decimal RewardCosts,
    decimal ServiceCosts,
    decimal NetRevenue,
    decimal Margin,
    decimal AverageOrderValue,
    DateTimeOffset? FirstOrderAt,
    DateTimeOffset? LastOrderAt,
    RfmView? Rfm,
    string? Tier,
    double? RevenuePercentile,
    double? MarginPercentile,
    DateTimeOffset UpdatedAt);

/// <summary>A customer's predictions from the current CLV model.</summary>
public sealed record ClvPredictionView(
    long ModelId,
    string Model,
    DateTimeOffset FittedAt,
    DateOnly CalibrationEnd,
    int HorizonWeeks,
    double ExpectedPurchases,
    double ProbabilityAlive,
    decimal ExpectedSpend,
    decimal Clv,
    double ClvPercentile);

/// <summary>GET /v1/customers/{id}/value.</summary>
public sealed record CustomerValueReply(long CustomerId, CustomerValueView? Value, ClvPredictionView? Prediction);
