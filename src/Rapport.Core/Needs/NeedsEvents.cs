using Rapport.Core.Events;

namespace Rapport.Core.Needs;

/// <summary>
/// The events and traits needs are read from. Offer events are the Segment e-commerce spec's
/// promotion and coupon events; "Preferences Stated" is Rapport's own (docs/needs.md).
/// </summary>
public static class NeedsEvents
{
    /// <summary>An offer shown to the customer (spec: a promotion was viewed).</summary>
    public const string PromotionViewed = "Promotion Viewed";

    /// <summary>An offer taken up (spec: a promotion was clicked).</summary>
    public const string PromotionClicked = "Promotion Clicked";

    /// <summary>A coupon accepted at checkout: also an offer taken up.</summary>
    public const string CouponApplied = "Coupon Applied";

    /// <summary>The customer told us what they value most and what interests them (properties values_most, interests).</summary>
    public const string PreferencesStated = "Preferences Stated";

    /// <summary>Trait names read as stated preferences (identify calls, imports).</summary>
    public static readonly IReadOnlyList<string> ValuesMostTraits = ["values_most", "valuesMost"];

    public static readonly IReadOnlyList<string> InterestsTraits = ["interests"];

    /// <summary>Track events the needs read one by one (everything else only counts as an interaction per channel).</summary>
    public static readonly IReadOnlyList<string> Read =
    [
        EcommerceEvents.ProductViewed, EcommerceEvents.OrderCompleted, PromotionViewed, PromotionClicked, CouponApplied, PreferencesStated,
    ];
}
