namespace Rapport.Engine.Needs;

/// <summary>A category's share of the customer's (decayed) product views and spend; Affinity blends the two.</summary>
public readonly record struct CategoryAffinity(string Category, double? ViewShare, double? SpendShare, double Affinity);

/// <summary>A channel's interactions and purchases, with their shares of the customer's totals.</summary>
public readonly record struct ChannelShare(string Channel, long Interactions, long Purchases, double? InteractionShare, double? PurchaseShare);

/// <summary>
/// How much the customer buys on discount and responds to offers. Shares are null without
/// purchases, the response without offers shown; Score (0 to 1) is the mean of the revenue share
/// on discount and the offer response, of those known.
/// </summary>
public sealed record PriceSensitivity(
    long Units,
    long DiscountedUnits,
    long RevenueE4,
    long DiscountedRevenueE4,
    double? UnitShare,
    double? RevenueShare,
    long OffersShown,
    long OffersAccepted,
    long CouponsApplied,
    double? OfferResponse,
    double? Score);

/// <summary>
/// How often the customer buys one product again: purchase days (same-day purchases are one),
/// the median interval between them, and the next purchase predicted one median interval after
/// the last. No prediction from a single purchase.
/// </summary>
public readonly record struct ProductCadence(string Sku, int Purchases, double? MedianIntervalDays, long LastPurchaseAt, long? NextPurchaseAt);

/// <summary>A stated preference with where and when it was stated.</summary>
public sealed record Stated<T>(T Value, string Source, long At);

public sealed record StatedPreferences(Stated<string>? ValuesMost, Stated<IReadOnlyList<string>>? Interests);

/// <summary>One customer's needs, computed by <see cref="NeedsCalculator"/>.</summary>
public sealed record CustomerNeeds(
    IReadOnlyList<CategoryAffinity> Affinity,
    IReadOnlyList<ChannelShare> Channels,
    PriceSensitivity PriceSensitivity,
    IReadOnlyList<ProductCadence> Cadence,
    StatedPreferences Preferences)
{
    /// <summary>Purchases on every channel (a loop: this runs for every customer of a recomputation, where Sum boxed an enumerator each time).</summary>
    public long Orders
    {
        get
        {
            long orders = 0;
            for (var i = 0; i < Channels.Count; i++)
            {
                orders += Channels[i].Purchases;
            }

            return orders;
        }
    }
}
