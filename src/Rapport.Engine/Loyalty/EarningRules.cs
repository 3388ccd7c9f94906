namespace Rapport.Engine.Loyalty;

/// <summary>One order line as earning needs it: the amount paid for it before order-level adjustments, and its category.</summary>
public readonly record struct EarnLine(decimal Amount, string? Category);

/// <summary>An order as earning needs it.</summary>
/// <param name="Total">What the customer paid, all tenders together (after discounts).</param>
/// <param name="PaidWithPoints">The part of <paramref name="Total"/> paid with points: it earns nothing.</param>
public sealed record EarnOrder(decimal Total, decimal PaidWithPoints, string Channel, IReadOnlyList<EarnLine> Lines);

/// <summary>How many points an order, an event or a return is worth under a <see cref="LoyaltyProgram"/>.</summary>
public static class EarningRules
{
    /// <summary>
    /// Points for an order: the cash part (total − paid with points) is spread over the lines in
    /// proportion to their amounts, each share earns at its category's rate (or the base rate),
    /// then × channel × tier. Rounded down, never negative: a fraction of a point is not owed.
    /// </summary>
    public static long ForOrder(LoyaltyProgram program, EarnOrder order, string? tier)
    {
        var cash = order.Total - order.PaidWithPoints;
        if (cash <= 0)
        {
            return 0;
        }

        var linesTotal = order.Lines.Sum(l => Math.Max(0, l.Amount));
        decimal points;
        if (linesTotal <= 0)
        {
            points = cash * program.PointsPerUnit;
        }
        else
        {
            points = 0;
            foreach (var line in order.Lines)
            {
                if (line.Amount <= 0)
                {
                    continue;
                }

                var rate = line.Category is { } c && program.Categories.TryGetValue(c, out var r) ? r : program.PointsPerUnit;
                points += cash * (line.Amount / linesTotal) * rate;
            }
        }

        return Floor(points * ChannelMultiplier(program, order.Channel) * TierMultiplier(program, tier));
    }

    /// <summary>Fixed points for a configured event ("Review Submitted"), × the tier multiplier; 0 for other events.</summary>
    public static long ForEvent(LoyaltyProgram program, string eventName, string? tier) =>
        program.Events.TryGetValue(eventName, out var points) ? Floor(points * TierMultiplier(program, tier)) : 0;

    /// <summary>
    /// Points to take back for a refund of <paramref name="refunded"/> out of an order that earned
    /// <paramref name="earned"/> on <paramref name="orderTotal"/>: the same share of the points
    /// (rounded to nearest), never more than <paramref name="stillReversible"/> (what was neither
    /// reversed before nor expired: expired points already left the customer).
    /// </summary>
    public static long ToReverse(long earned, decimal orderTotal, decimal refunded, long stillReversible)
    {
        if (earned <= 0 || refunded <= 0 || stillReversible <= 0)
        {
            return 0;
        }

        var share = orderTotal <= 0 || refunded >= orderTotal ? 1m : refunded / orderTotal;
        return Math.Min(stillReversible, (long)decimal.Round(earned * share, 0, MidpointRounding.AwayFromZero));
    }

    public static decimal TierMultiplier(LoyaltyProgram program, string? tier) => program.Tier(tier)?.Multiplier ?? program.BaseTier.Multiplier;

    private static decimal ChannelMultiplier(LoyaltyProgram program, string channel) =>
        program.Channels.TryGetValue(channel, out var m) ? m : 1m;

    private static long Floor(decimal points) => points <= 0 ? 0 : (long)decimal.Floor(points);
}
