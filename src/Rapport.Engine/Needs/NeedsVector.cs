namespace Rapport.Engine.Needs;

/// <summary>
/// The few numbers of a customer's needs that clustering uses, as stored per customer:
/// price sensitivity, channel mix (digital = web + app, store, assisted = phone + chat + email),
/// number of orders, the top category affinity (focus) and the stated value.
/// </summary>
public sealed record NeedsSummary(
    double? PriceSensitivity, double Digital, double Store, double Assisted, long Orders, double Focus, string? ValuesMost)
{
    public static NeedsSummary From(CustomerNeeds n)
    {
        var (digital, store, assisted) = ChannelMix(n.Channels);
        return new NeedsSummary(
            n.PriceSensitivity.Score, digital, store, assisted, n.Orders, n.Affinity.Count > 0 ? n.Affinity[0].Affinity : 0, n.Preferences.ValuesMost?.Value);
    }

    /// <summary>Channel mix: the mean of the interaction and purchase shares where both are known, else the one that is.</summary>
    public static (double Digital, double Store, double Assisted) ChannelMix(IReadOnlyList<ChannelShare> channels)
    {
        // One pass (this runs for every customer of a recomputation); each group's shares are
        // summed in list order from zero, as a LINQ Sum over the group would.
        bool anyInteraction = false, anyPurchase = false;
        double i0 = 0, i1 = 0, i2 = 0, p0 = 0, p1 = 0, p2 = 0;
        for (var i = 0; i < channels.Count; i++)
        {
            var c = channels[i];
            anyInteraction |= c.InteractionShare is not null;
            anyPurchase |= c.PurchaseShare is not null;
            var group = c.Channel switch
            {
                "web" or "app" => 0,
                "store" => 1,
                "phone" or "chat" or "email" => 2,
                _ => -1,
            };
            switch (group)
            {
                case 0: (i0, p0) = (i0 + (c.InteractionShare ?? 0), p0 + (c.PurchaseShare ?? 0)); break;
                case 1: (i1, p1) = (i1 + (c.InteractionShare ?? 0), p1 + (c.PurchaseShare ?? 0)); break;
                case 2: (i2, p2) = (i2 + (c.InteractionShare ?? 0), p2 + (c.PurchaseShare ?? 0)); break;
            }
        }

        double Share(double i, double p) => (anyInteraction, anyPurchase) switch
        {
            (true, true) => (i + p) / 2,
            (true, false) => i,
            (false, true) => p,
            _ => 0,
        };

        return (Share(i0, p0), Share(i1, p1), Share(i2, p2));
    }
}

/// <summary>
/// The normalised needs vector clustered by k-means: every component is in [0, 1], so no feature
/// dominates by its unit. Stated values are one-hot at half weight: a statement shapes a cluster
/// without outweighing behaviour.
/// </summary>
public static class NeedsVector
{
    public const int PriceSensitivity = 0;
    public const int Digital = 1;
    public const int Store = 2;
    public const int Assisted = 3;
    public const int Regularity = 4;
    public const int Focus = 5;
    public const int StatedQuality = 6;
    public const int StatedConvenience = 7;
    public const int StatedDiscounts = 8;
    public const int StatedPerks = 9;
    public const int Length = 10;

    /// <summary>Orders at which regularity reaches 1 (log scale: 1 order 0.22, 4 orders 0.51, 12 orders 0.8).</summary>
    public const double RegularOrders = 23;

    public const double StatedWeight = 0.5;

    public static readonly IReadOnlyList<string> Names =
    [
        "price_sensitivity", "digital", "store", "assisted", "regularity", "focus",
        "values_quality", "values_convenience", "values_discounts", "values_perks",
    ];

    public static double[] Of(NeedsSummary s)
    {
        var v = new double[Length];
        v[PriceSensitivity] = Math.Clamp(s.PriceSensitivity ?? 0, 0, 1);
        v[Digital] = Math.Clamp(s.Digital, 0, 1);
        v[Store] = Math.Clamp(s.Store, 0, 1);
        v[Assisted] = Math.Clamp(s.Assisted, 0, 1);
        v[Regularity] = Regularity01(s.Orders);
        v[Focus] = Math.Clamp(s.Focus, 0, 1);
        switch (s.ValuesMost)
        {
            case StatedValues.Quality: v[StatedQuality] = StatedWeight; break;
            case StatedValues.Convenience: v[StatedConvenience] = StatedWeight; break;
            case StatedValues.Discounts: v[StatedDiscounts] = StatedWeight; break;
            case StatedValues.Perks: v[StatedPerks] = StatedWeight; break;
        }

        return v;
    }

    public static double Regularity01(long orders) =>
        orders <= 0 ? 0 : Math.Min(1, Math.Log(1 + orders) / Math.Log(1 + RegularOrders));
}
