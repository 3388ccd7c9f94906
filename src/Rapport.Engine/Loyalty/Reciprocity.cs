namespace Rapport.Engine.Loyalty;

/// <summary>What is known about one customer's give and take, as counts and money (currency units).</summary>
public sealed record ReciprocityFacts(
    decimal GrossMargin,
    int Referrals,
    int Reviews,
    int PreferencesStated,
    int Consents,
    decimal Discounts,
    long PointsRedeemed,
    decimal OtherRewards,
    decimal Surprises,
    decimal Service,
    decimal Donations);

/// <summary>One side of the ledger, item by item, in currency units.</summary>
public sealed record ReciprocityItems(IReadOnlyDictionary<string, decimal> Items)
{
    public decimal Total => Items.Values.Sum();
}

/// <summary>
/// The reciprocity balance: Given − Received. Positive means the customer has given us more
/// than they received (the next-best-action engine favours them); negative means we owe them
/// nothing more for now.
/// </summary>
public sealed record ReciprocityBalance(ReciprocityItems Given, ReciprocityItems Received)
{
    public decimal Balance => Given.Total - Received.Total;

    /// <summary>Received / Given: 1 is an even relationship; null when the customer gave nothing yet.</summary>
    public double? Ratio => Given.Total > 0 ? (double)(Received.Total / Given.Total) : null;
}

/// <summary>Turns <see cref="ReciprocityFacts"/> into money with the documented prices (docs/loyalty.md).</summary>
public static class ReciprocityValuation
{
    public static ReciprocityBalance Value(ReciprocityFacts f, ReciprocityPrices prices, decimal pointValue)
    {
        var given = new Dictionary<string, decimal>
        {
            ["margin"] = f.GrossMargin,
            ["referrals"] = f.Referrals * prices.Referral,
            ["reviews"] = f.Reviews * prices.Review,
            ["dataShared"] = (f.PreferencesStated * prices.Preference) + (f.Consents * prices.Consent),
        };
        var received = new Dictionary<string, decimal>
        {
            ["discounts"] = f.Discounts,
            ["rewards"] = (f.PointsRedeemed * pointValue) + f.OtherRewards,
            ["surprises"] = f.Surprises,
            ["serviceTime"] = f.Service,
            ["donations"] = f.Donations,
        };
        return new ReciprocityBalance(new ReciprocityItems(given), new ReciprocityItems(received));
    }
}
