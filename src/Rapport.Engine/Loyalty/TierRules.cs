namespace Rapport.Engine.Loyalty;

/// <summary>A customer's tier state: the tier, and since when they have qualified for less (null while they qualify).</summary>
public sealed record TierState(string Tier, DateTimeOffset? BelowSince);

/// <summary>The outcome of evaluating a tier: the new state and whether the tier changed.</summary>
public sealed record TierDecision(TierState State, bool Changed, string? Previous);

/// <summary>
/// Tiers by a qualifying amount (rolling 12-month spend or points earned). Upgrades happen at
/// once; a customer who falls below their tier keeps it for the grace period, counted from the
/// first evaluation that found them below, and then drops to the tier they qualify for.
/// Qualifying again during the grace period clears it.
/// </summary>
public static class TierRules
{
    public static string Qualified(LoyaltyProgram program, decimal amount) =>
        program.Tiers.LastOrDefault(t => amount >= t.Threshold)?.Name ?? program.BaseTier.Name;

    public static TierDecision Evaluate(LoyaltyProgram program, TierState? current, decimal qualifying, DateTimeOffset now)
    {
        var qualified = Qualified(program, qualifying);
        var currentTier = current?.Tier is { } t && program.Tier(t) is not null ? t : program.BaseTier.Name;
        var rankNow = Rank(program, currentTier);
        var rankQualified = Rank(program, qualified);
        if (rankQualified >= rankNow)
        {
            // A new member starts in the base tier without a change; anything else that differs is one.
            var previous = current?.Tier ?? program.BaseTier.Name;
            return new TierDecision(new TierState(qualified, null), qualified != previous, previous);
        }

        var belowSince = current?.BelowSince ?? now;
        if (now - belowSince >= TimeSpan.FromDays(program.TierGraceDays))
        {
            return new TierDecision(new TierState(qualified, null), true, currentTier);
        }

        return new TierDecision(new TierState(currentTier, belowSince), false, currentTier);
    }

    /// <summary>The next tier up and how much more qualifying amount it needs; null at the top.</summary>
    public static (string Tier, decimal Needed)? Progress(LoyaltyProgram program, string tier, decimal qualifying)
    {
        var next = program.Tiers.Skip(Rank(program, tier) + 1).FirstOrDefault();
        return next is null ? null : (next.Name, Math.Max(0, next.Threshold - qualifying));
    }

    private static int Rank(LoyaltyProgram program, string tier)
    {
        for (var i = 0; i < program.Tiers.Count; i++)
        {
            if (program.Tiers[i].Name == tier)
            {
                return i;
            }
        }

        return 0;
    }
}
