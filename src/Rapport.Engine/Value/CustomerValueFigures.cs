namespace Rapport.Engine.Value;

/// <summary>
/// One customer's value figures in 1/10,000 currency units (the stored *_e4 form) and Unix
/// milliseconds, and the formulas derived from them (docs/value.md):
/// <code>
/// net revenue = revenue − discounts − returns
/// margin      = revenue − cost of goods − discounts − returns − reward costs − service costs
/// AOV         = (revenue − discounts) / orders
/// </code>
/// Revenue is gross sales (what the order lines were worth before discounts); returns are the
/// amounts refunded; cost of goods is units × unit cost, net of returned units (returned goods
/// go back to stock, so their cost comes back with them).
/// </summary>
public readonly record struct CustomerValueFigures(
    long Orders,
    long Returns,
    long RevenueE4,
    long CostE4,
    long DiscountE4,
    long ReturnsE4,
    long RewardCostE4,
    long ServiceCostE4,
    long? FirstOrderAt,
    long? LastOrderAt)
{
    public long NetRevenueE4 => RevenueE4 - DiscountE4 - ReturnsE4;

    public long MarginE4 => RevenueE4 - CostE4 - DiscountE4 - ReturnsE4 - RewardCostE4 - ServiceCostE4;

    /// <summary>What an order brought on average after discounts, rounded half away from zero; 0 without orders.</summary>
    public long AovE4 => Orders == 0 ? 0 : (long)Math.Round((decimal)(RevenueE4 - DiscountE4) / Orders, MidpointRounding.AwayFromZero);
}
