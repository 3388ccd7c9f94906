namespace Rapport.Engine.Loyalty;

/// <summary>
/// Subscriptions for regularly bought products: when the next delivery is, and what skip,
/// pause and resume do to it. Dates are UTC calendar days.
/// </summary>
public static class SubscriptionRules
{
    public const int MinIntervalDays = 1;
    public const int MaxIntervalDays = 366;

    /// <summary>
    /// The customer's own cadence for a product: the median number of days between distinct
    /// purchase days, once they bought it on at least 3 days (2 gaps); null before that.
    /// </summary>
    public static int? Cadence(IEnumerable<DateOnly> purchaseDays)
    {
        var days = purchaseDays.Distinct().Order().ToList();
        if (days.Count < 3)
        {
            return null;
        }

        var gaps = days.Zip(days.Skip(1), (a, b) => b.DayNumber - a.DayNumber).Order().ToList();
        var median = gaps.Count % 2 == 1 ? gaps[gaps.Count / 2] : (gaps[(gaps.Count / 2) - 1] + gaps[gaps.Count / 2]) / 2.0;
        return Math.Clamp((int)Math.Round(median, MidpointRounding.AwayFromZero), MinIntervalDays, MaxIntervalDays);
    }

    /// <summary>
    /// The first delivery: the date asked for; else one cadence after the last purchase (when
    /// that is still ahead); else one interval from today.
    /// </summary>
    public static DateOnly FirstDate(DateOnly today, int intervalDays, DateOnly? requested, int? cadence, DateOnly? lastPurchase)
    {
        if (requested is { } r)
        {
            return r;
        }

        if (cadence is { } c && lastPurchase is { } last && last.AddDays(c) > today)
        {
            return last.AddDays(c);
        }

        return today.AddDays(intervalDays);
    }

    /// <summary>Skipping moves the next delivery one interval on.</summary>
    public static DateOnly Skip(DateOnly next, int intervalDays) => next.AddDays(intervalDays);

    /// <summary>On resume the next delivery is the first scheduled date on or after today (and after the pause's end), keeping the rhythm.</summary>
    public static DateOnly Resume(DateOnly next, int intervalDays, DateOnly today)
    {
        while (next < today)
        {
            next = next.AddDays(intervalDays);
        }

        return next;
    }

    /// <summary>The regular-supply price: the unit price less the subscription's discount, rounded to cents.</summary>
    public static decimal DiscountedPrice(decimal unitPrice, decimal discountPercent) =>
        decimal.Round(unitPrice * (1 - (discountPercent / 100m)), 2, MidpointRounding.AwayFromZero);
}
