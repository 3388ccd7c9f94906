using Rapport.Engine.Needs;

namespace Rapport.Engine.Tests.Needs;

/// <summary>
/// The LINQ form of the needs calculation as it was before it was rewritten as loops (session 6),
/// kept verbatim as the reference the faster form must match bit for bit.
/// </summary>
internal static class ReferenceNeedsCalculator
{
    private const long Day = 86_400_000;

    public static CustomerNeeds Compute(NeedsHistory h, NeedsSettings settings)
    {
        var sales = h.Lines.Where(l => l.Quantity > 0).ToList();
        return new CustomerNeeds(
            Affinity(h.Views, sales, settings),
            ChannelShares(h.InteractionsByChannel, h.PurchasesByChannel),
            Sensitivity(sales, h.OffersShown, h.OffersAccepted, h.CouponsApplied),
            Cadence(sales.Select(l => (l.Sku, l.At))),
            Preferences(h.Statements));
    }

    /// <summary>
    /// Decayed view and spend shares per category; the blended affinity weighs spend
    /// <see cref="NeedsSettings.SpendWeight"/> when the customer has both, else uses the one they have.
    /// Views and lines without a category count for nothing (shares are of categorised activity).
    /// </summary>
    public static IReadOnlyList<CategoryAffinity> Affinity(IReadOnlyList<ProductView> views, IReadOnlyList<PurchaseLine> sales, NeedsSettings settings)
    {
        var viewShares = Decay.Shares(views.Select(v => (v.Category, v.At, 1.0)), settings.HalfLifeDays).ToDictionary(StringComparer.Ordinal);
        var spendShares = Decay.Shares(sales.Select(l => (l.Category, l.At, (double)l.AmountE4)), settings.HalfLifeDays).ToDictionary(StringComparer.Ordinal);
        var hasViews = viewShares.Count > 0;
        var hasSpend = spendShares.Count > 0;
        return viewShares.Keys.Union(spendShares.Keys, StringComparer.Ordinal)
            .Select(category =>
            {
                var v = hasViews ? viewShares.GetValueOrDefault(category) : (double?)null;
                var s = hasSpend ? spendShares.GetValueOrDefault(category) : (double?)null;
                var blended = (v, s) switch
                {
                    ({ } view, { } spend) => (settings.SpendWeight * spend) + ((1 - settings.SpendWeight) * view),
                    (null, { } spend) => spend,
                    ({ } view, null) => view,
                    _ => 0,
                };
                return new CategoryAffinity(category, v, s, blended);
            })
            .OrderByDescending(a => a.Affinity)
            .ThenBy(a => a.Category, StringComparer.Ordinal)
            .ToList();
    }

    public static IReadOnlyList<ChannelShare> ChannelShares(IReadOnlyDictionary<string, long> interactions, IReadOnlyDictionary<string, long> purchases)
    {
        var totalInteractions = interactions.Values.Sum();
        var totalPurchases = purchases.Values.Sum();
        return interactions.Keys.Union(purchases.Keys, StringComparer.Ordinal)
            .Select(c =>
            {
                var i = interactions.GetValueOrDefault(c);
                var p = purchases.GetValueOrDefault(c);
                return new ChannelShare(
                    c, i, p,
                    totalInteractions > 0 ? (double)i / totalInteractions : null,
                    totalPurchases > 0 ? (double)p / totalPurchases : null);
            })
            .OrderByDescending(c => c.Purchases)
            .ThenByDescending(c => c.Interactions)
            .ThenBy(c => c.Channel, StringComparer.Ordinal)
            .ToList();
    }

    public static PriceSensitivity Sensitivity(IReadOnlyList<PurchaseLine> sales, long shown, long accepted, long coupons)
    {
        long units = 0, discountedUnits = 0, revenue = 0, discountedRevenue = 0;
        foreach (var l in sales)
        {
            units += l.Quantity;
            revenue += l.AmountE4;
            if (l.OnDiscount)
            {
                discountedUnits += l.Quantity;
                discountedRevenue += l.AmountE4;
            }
        }

        double? unitShare = units > 0 ? (double)discountedUnits / units : null;
        double? revenueShare = revenue > 0 ? (double)discountedRevenue / revenue : unitShare;

        // More acceptances than offers seen happens (a promotion clicked from an email we never
        // saw shown): the response is capped at 1.
        double? response = shown > 0 ? Math.Min(1.0, (double)accepted / shown) : null;
        double? score = (revenueShare, response) switch
        {
            ({ } r, { } o) => (r + o) / 2,
            ({ } r, null) => r,
            (null, { } o) => o,
            _ => null,
        };
        return new PriceSensitivity(units, discountedUnits, revenue, discountedRevenue, unitShare, revenueShare, shown, accepted, coupons, response, score);
    }

    /// <summary>The latest statement of what they value most, and the latest of their interests (each with its source and time).</summary>
    public static StatedPreferences Preferences(IReadOnlyList<PreferenceStatement> statements)
    {
        Stated<string>? values = null;
        Stated<IReadOnlyList<string>>? interests = null;
        foreach (var s in statements.OrderBy(s => s.At))
        {
            if (StatedValues.Normalize(s.ValuesMost) is { } v)
            {
                values = new Stated<string>(v, s.Source, s.At);
            }

            if (s.Interests is { Count: > 0 } list && StatedValues.Interests(list) is { Count: > 0 } clean)
            {
                interests = new Stated<IReadOnlyList<string>>(clean, s.Source, s.At);
            }
        }

        return new StatedPreferences(values, interests);
    }

    public static IReadOnlyList<ProductCadence> Cadence(IEnumerable<(string Sku, long At)> purchases)
    {
        var result = new List<ProductCadence>();
        foreach (var group in purchases.GroupBy(p => p.Sku, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var days = group.Select(p => Math.DivRem(p.At, Day, out var r) - (r < 0 ? 1 : 0)).Distinct().Order().ToArray();
            var last = group.Max(p => p.At);
            if (days.Length < 2)
            {
                result.Add(new ProductCadence(group.Key, days.Length, null, last, null));
                continue;
            }

            var intervals = new double[days.Length - 1];
            for (var i = 1; i < days.Length; i++)
            {
                intervals[i - 1] = days[i] - days[i - 1];
            }

            var median = intervals.Order().ToArray() is var s && s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
            result.Add(new ProductCadence(group.Key, days.Length, median, last, last + (long)Math.Round(median * Day)));
        }

        return result;
    }

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
