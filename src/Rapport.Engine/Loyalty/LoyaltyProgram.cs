namespace Rapport.Engine.Loyalty;

/// <summary>A tier: customers qualify with at least <see cref="Threshold"/> (spend or points over 12 months) and earn × <see cref="Multiplier"/>.</summary>
public sealed record TierRule(string Name, decimal Threshold, decimal Multiplier);

/// <summary>Redemption limits in points; 0 means no limit.</summary>
public sealed record RedemptionLimits(long Min = 1, long Max = 0, long PerDay = 0);

/// <summary>
/// The money value Rapport puts on what a customer gives that is not margin (docs/loyalty.md
/// explains the defaults): a referral, a review, a stated preference (one trait) and a consent.
/// </summary>
public sealed record ReciprocityPrices(decimal Referral = 25m, decimal Review = 5m, decimal Preference = 0.5m, decimal Consent = 1m);

/// <summary>
/// The loyalty programme, configured through PUT /v1/loyalty/program. Points are whole numbers.
/// Earning: <see cref="PointsPerUnit"/> per currency unit paid (a category rate replaces it for
/// that category's lines), × the channel multiplier, × the tier multiplier; fixed points per
/// configured event ("Review Submitted"). Earned points expire <see cref="ExpiryDays"/> after
/// they were earned. Tiers are qualified by rolling 12-month spend or points earned.
/// </summary>
public sealed record LoyaltyProgram
{
    public const string SpendBasis = "spend";
    public const string PointsBasis = "points";

    public decimal PointsPerUnit { get; init; } = 1m;

    /// <summary>What one point is worth when redeemed, in currency units (0.01 = 100 points per unit).</summary>
    public decimal PointValue { get; init; } = 0.01m;

    public int ExpiryDays { get; init; } = 365;

    public IReadOnlyDictionary<string, decimal> Categories { get; init; } = new Dictionary<string, decimal>();

    public IReadOnlyDictionary<string, decimal> Channels { get; init; } = new Dictionary<string, decimal>();

    public IReadOnlyDictionary<string, long> Events { get; init; } = new Dictionary<string, long>
    {
        ["Review Submitted"] = 50,
        ["Referral Completed"] = 200,
    };

    public IReadOnlyList<TierRule> Tiers { get; init; } =
    [
        new("member", 0m, 1m),
        new("silver", 500m, 1.25m),
        new("gold", 2000m, 1.5m),
    ];

    public string TierBasis { get; init; } = SpendBasis;

    public int TierGraceDays { get; init; } = 30;

    public RedemptionLimits Redemption { get; init; } = new();

    public ReciprocityPrices Reciprocity { get; init; } = new();

    /// <summary>
    /// The most of an order's cash value that customers may direct to causes, in percent, over
    /// all their causes together (docs/causes.md); the business pays it in their name.
    /// </summary>
    public decimal DonationPercentMax { get; init; } = 5m;

    public TierRule BaseTier => Tiers[0];

    public TierRule? Tier(string? name) => Tiers.FirstOrDefault(t => t.Name == name);

    /// <summary>Everything wrong with the programme, each with how to fix it; empty when it can be used.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (PointsPerUnit < 0 || PointsPerUnit > 10_000)
        {
            errors.Add($"pointsPerUnit {PointsPerUnit} must be between 0 and 10000 (points per currency unit paid, e.g. 1).");
        }

        if (PointValue <= 0 || PointValue > 1_000)
        {
            errors.Add($"pointValue {PointValue} must be a positive amount of money per point, e.g. 0.01.");
        }

        if (ExpiryDays is < 1 or > 3650)
        {
            errors.Add($"expiryDays {ExpiryDays} must be between 1 and 3650.");
        }

        errors.AddRange(Categories.Where(c => c.Value < 0 || string.IsNullOrWhiteSpace(c.Key))
            .Select(c => $"categories['{c.Key}'] = {c.Value}: a category needs a name and a rate of 0 or more points per unit."));
        errors.AddRange(Channels.Where(c => c.Value < 0)
            .Select(c => $"channels['{c.Key}'] = {c.Value}: a channel multiplier must be 0 or more (1 = no change)."));
        errors.AddRange(Events.Where(e => e.Value <= 0 || string.IsNullOrWhiteSpace(e.Key))
            .Select(e => $"events['{e.Key}'] = {e.Value}: an event needs a name and a positive number of points."));
        if (Tiers.Count == 0)
        {
            errors.Add("tiers must list at least one tier; the first, with threshold 0, is where every member starts.");
        }
        else
        {
            if (Tiers[0].Threshold != 0)
            {
                errors.Add($"the first tier ('{Tiers[0].Name}') must have threshold 0: every member starts there.");
            }

            for (var i = 1; i < Tiers.Count; i++)
            {
                if (Tiers[i].Threshold <= Tiers[i - 1].Threshold)
                {
                    errors.Add($"tier '{Tiers[i].Name}' must have a higher threshold than '{Tiers[i - 1].Name}' (list tiers from lowest to highest).");
                }
            }

            errors.AddRange(Tiers.Where(t => string.IsNullOrWhiteSpace(t.Name) || t.Multiplier < 0)
                .Select(t => $"tier '{t.Name}' needs a name and a multiplier of 0 or more."));
            if (Tiers.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != Tiers.Count)
            {
                errors.Add("tier names must be unique.");
            }
        }

        if (TierBasis is not (SpendBasis or PointsBasis))
        {
            errors.Add($"tierBasis '{TierBasis}' must be '{SpendBasis}' (rolling 12-month spend) or '{PointsBasis}' (points earned over 12 months).");
        }

        if (TierGraceDays is < 0 or > 3650)
        {
            errors.Add($"tierGraceDays {TierGraceDays} must be between 0 and 3650.");
        }

        var r = Redemption;
        if (r.Min < 1 || r.Max < 0 || r.PerDay < 0 || (r.Max > 0 && r.Max < r.Min) || (r.PerDay > 0 && r.PerDay < r.Min))
        {
            errors.Add($"redemption limits min {r.Min}, max {r.Max}, perDay {r.PerDay}: min must be at least 1, max and perDay 0 (no limit) or at least min.");
        }

        var p = Reciprocity;
        if (p.Referral < 0 || p.Review < 0 || p.Preference < 0 || p.Consent < 0)
        {
            errors.Add("reciprocity prices must be 0 or more currency units.");
        }

        if (DonationPercentMax is < 0 or > 100)
        {
            errors.Add($"donationPercentMax {DonationPercentMax} must be between 0 and 100 (percent of an order's value customers may direct to causes).");
        }

        return errors;
    }
}
