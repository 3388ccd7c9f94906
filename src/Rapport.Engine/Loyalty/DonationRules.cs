namespace Rapport.Engine.Loyalty;

/// <summary>
/// One cause a customer chose: <see cref="PointsShare"/> is its weight when they donate points
/// (weights are normalised over their causes), <see cref="PurchasePercent"/> the percent of each
/// order's cash value given to it in their name.
/// </summary>
public sealed record CauseChoice(long CauseId, decimal PointsShare, decimal PurchasePercent);

/// <summary>A donation to one cause: points (0 for purchase donations) and money in currency units.</summary>
public sealed record CauseAmount(long CauseId, long Points, decimal Amount);

/// <summary>
/// How donations are split and valued (docs/causes.md). Pure. Points become money at the
/// programme's point value (the same rate as a redemption: 1 point = pointValue). Money is
/// rounded to cents, a split's remainder goes to the first cause so nothing is lost.
/// </summary>
public static class DonationRules
{
    /// <summary>Splits donated points over the customer's causes by their points shares (or all to <paramref name="only"/>).</summary>
    public static IReadOnlyList<CauseAmount> SplitPoints(long points, IReadOnlyList<CauseChoice> choices, decimal pointValue, long? only = null)
    {
        var targets = only is { } id
            ? [new CauseChoice(id, 1, 0)]
            : choices.Where(c => c.PointsShare > 0).ToList();
        var weight = targets.Sum(c => c.PointsShare);
        if (points <= 0 || weight <= 0)
        {
            return [];
        }

        var shares = targets.Select(c => (long)Math.Floor(points * c.PointsShare / weight)).ToArray();
        shares[0] += points - shares.Sum();
        return targets.Select((c, i) => new CauseAmount(c.CauseId, shares[i], shares[i] * pointValue))
            .Where(a => a.Points > 0)
            .ToList();
    }

    /// <summary>
    /// The donations an order makes: each cause's percent of the cash paid (total less the part
    /// paid with points). When the customer's percents add up to more than
    /// <paramref name="maxPercent"/> (causes moved over by a merge), all are scaled down to it.
    /// </summary>
    public static IReadOnlyList<CauseAmount> ForOrder(decimal cashPaid, IReadOnlyList<CauseChoice> choices, decimal maxPercent)
    {
        var total = choices.Sum(c => Math.Max(0, c.PurchasePercent));
        if (cashPaid <= 0 || total <= 0)
        {
            return [];
        }

        var scale = total > maxPercent ? maxPercent / total : 1m;
        return choices.Where(c => c.PurchasePercent > 0)
            .Select(c => new CauseAmount(c.CauseId, 0, Math.Round(cashPaid * c.PurchasePercent * scale / 100m, 2, MidpointRounding.AwayFromZero)))
            .Where(a => a.Amount > 0)
            .ToList();
    }

    /// <summary>
    /// What a refund takes back of one order donation: the refunded share of the order
    /// (<paramref name="refunded"/> / <paramref name="orderTotal"/>) of what was donated, never more
    /// than is still standing; all of it when the refund amount is unknown (a cancellation).
    /// </summary>
    public static decimal ToReverse(decimal donated, decimal standing, decimal orderTotal, decimal? refunded)
    {
        if (standing <= 0)
        {
            return 0;
        }

        var share = refunded is { } r && orderTotal > 0 ? Math.Round(donated * Math.Min(1, r / orderTotal), 2, MidpointRounding.AwayFromZero) : standing;
        return Math.Min(share, standing);
    }

    /// <summary>What is wrong with a customer's choices, or null. Percents are over all causes together.</summary>
    public static string? Validate(IReadOnlyList<CauseChoice> choices, decimal maxPercent)
    {
        if (choices.Count > 20)
        {
            return "choose at most 20 causes.";
        }

        if (choices.Select(c => c.CauseId).Distinct().Count() != choices.Count)
        {
            return "each cause may be listed once.";
        }

        if (choices.Any(c => c.PointsShare < 0 || c.PurchasePercent < 0))
        {
            return "pointsShare and purchasePercent must be 0 or more.";
        }

        var total = choices.Sum(c => c.PurchasePercent);
        return total > maxPercent
            ? $"purchasePercent adds up to {total}% over your causes; the programme allows at most {maxPercent}% of an order's value (donationPercentMax)."
            : null;
    }
}
