namespace Rapport.Engine.Needs;

/// <summary>A product seen (Product Viewed): its category, if known, and when.</summary>
public readonly record struct ProductView(long At, string? Category);

/// <summary>
/// One line of a sale: what was bought, when, where, for how much, and what tells whether it was
/// bought on discount (the order carried a discount or a coupon; the unit price was below the
/// product's list price).
/// </summary>
public readonly record struct PurchaseLine(
    string OrderId,
    long At,
    string Sku,
    string? Category,
    long Quantity,
    long UnitPriceE4,
    long? ListPriceE4,
    bool OrderDiscounted)
{
    /// <summary>Below the list price by more than 1% (so rounding a price to the cent is no discount).</summary>
    public bool BelowListPrice => ListPriceE4 is { } list && list > 0 && UnitPriceE4 * 100 < list * 99;

    public bool OnDiscount => OrderDiscounted || BelowListPrice;

    public long AmountE4 => Quantity * UnitPriceE4;
}

/// <summary>What a customer said they value or are interested in, from a trait or an event, with its source and time.</summary>
public sealed record PreferenceStatement(long At, string Source, string? ValuesMost, IReadOnlyList<string>? Interests);

/// <summary>Everything the needs of one customer are computed from (plain data, read by Rapport.Core).</summary>
public sealed record NeedsHistory(
    IReadOnlyDictionary<string, long> InteractionsByChannel,
    IReadOnlyDictionary<string, long> PurchasesByChannel,
    IReadOnlyList<ProductView> Views,
    IReadOnlyList<PurchaseLine> Lines,
    long OffersShown,
    long OffersAccepted,
    long CouponsApplied,
    IReadOnlyList<PreferenceStatement> Statements)
{
    public static NeedsHistory Empty { get; } = new(
        new Dictionary<string, long>(), new Dictionary<string, long>(), [], [], 0, 0, 0, []);
}
