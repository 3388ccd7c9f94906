namespace Rapport.Engine.Analytics;

/// <summary>Sums for one group of customers: how many, how many bought, their sales orders and net revenue (1/10,000 units).</summary>
public sealed record ChannelGroupTotals(long Customers, long Buyers, long Orders, long RevenueE4);

/// <summary>
/// One group with its per-customer figures: net revenue and sales orders per customer, and per
/// buyer (frequency among those who bought at all). Null where the group is empty.
/// </summary>
public sealed record ChannelGroupFigures(
    string Group, long Customers, long Buyers, long Orders, long RevenueE4,
    double? RevenuePerCustomerE4, double? OrdersPerCustomer, double? RevenuePerBuyerE4, double? OrdersPerBuyer);

/// <summary>Multichannel (two or more channels seen) against single-channel customers.</summary>
public static class ChannelMix
{
    public const string Multichannel = "multichannel";
    public const string SingleChannel = "single-channel";

    public static ChannelGroupFigures Figures(string group, ChannelGroupTotals t) => new(
        group, t.Customers, t.Buyers, t.Orders, t.RevenueE4,
        Per(t.RevenueE4, t.Customers), Per(t.Orders, t.Customers), Per(t.RevenueE4, t.Buyers), Per(t.Orders, t.Buyers));

    /// <summary>How many times the multichannel figure is the single-channel one (null when either is missing or zero).</summary>
    public static double? Ratio(double? multi, double? single) => multi is { } m && single is { } s && s != 0 ? m / s : null;

    private static double? Per(long amount, long count) => count == 0 ? null : (double)amount / count;
}
