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
        double Share(Func<string, bool> group)
        {
            var matching = channels.Where(c => group(c.Channel)).ToList();
            double? i = channels.Any(c => c.InteractionShare is not null) ? matching.Sum(c => c.InteractionShare ?? 0) : null;
            double? p = channels.Any(c => c.PurchaseShare is not null) ? matching.Sum(c => c.PurchaseShare ?? 0) : null;
            return (i, p) switch
            {
                ({ } a, { } b) => (a + b) / 2,
                ({ } a, null) => a,
                (null, { } b) => b,
                _ => 0,
            };
        }

        return (Share(c => c is "web" or "app"), Share(c => c == "store"), Share(c => c is "phone" or "chat" or "email"));
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
