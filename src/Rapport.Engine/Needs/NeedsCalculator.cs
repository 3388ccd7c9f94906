namespace Rapport.Engine.Needs;

/// <summary>
/// One customer's needs from their history: category affinity, price sensitivity, channels,
/// cadence, stated preferences. Written as loops over arrays, not LINQ: the bulk recomputation
/// runs it for every customer, and the LINQ form's iterators, closures and dictionaries cost
/// more than the arithmetic. Sums run in the history's order, so results are the same bits as
/// the LINQ form's (tests compare them).
/// </summary>
public static class NeedsCalculator
{
    public static CustomerNeeds Compute(NeedsHistory h, NeedsSettings settings)
    {
        var sales = Sales(h.Lines);
        return new CustomerNeeds(
            Affinity(h.Views, sales, settings),
            ChannelShares(h.InteractionsByChannel, h.PurchasesByChannel),
            Sensitivity(sales, h.OffersShown, h.OffersAccepted, h.CouponsApplied),
            PurchaseCadence.Compute(sales),
            Preferences(h.Statements));
    }

    /// <summary>
    /// Lines actually bought (quantity above zero), in order: the lines themselves when all are
    /// (nearly always; copying every customer's lines cost a gigabyte of allocation per million).
    /// </summary>
    private static IReadOnlyList<PurchaseLine> Sales(IReadOnlyList<PurchaseLine> lines)
    {
        var n = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            n += lines[i].Quantity > 0 ? 1 : 0;
        }

        if (n == lines.Count)
        {
            return lines;
        }

        var sales = new PurchaseLine[n];
        n = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Quantity > 0)
            {
                sales[n++] = lines[i];
            }
        }

        return sales;
    }

    /// <summary>
    /// Decayed view and spend shares per category; the blended affinity weighs spend
    /// <see cref="NeedsSettings.SpendWeight"/> when the customer has both, else uses the one they have.
    /// Views and lines without a category count for nothing (shares are of categorised activity).
    /// The shares are <see cref="Decay.Shares"/>'s, computed in place.
    /// </summary>
    public static IReadOnlyList<CategoryAffinity> Affinity(IReadOnlyList<ProductView> views, IReadOnlyList<PurchaseLine> sales, NeedsSettings settings)
    {
        var t = new CategoryTally();
        long latest = long.MinValue;
        for (var i = 0; i < views.Count; i++)
        {
            if (views[i].Category is not null)
            {
                latest = Math.Max(latest, views[i].At);
            }
        }

        double viewTotal = 0;
        for (var i = 0; i < views.Count; i++)
        {
            if (views[i].Category is { } category)
            {
                var w = 1.0 * Decay.Weight(views[i].At, latest, settings.HalfLifeDays);
                // Slot first: it may grow the arrays, and `t.View[t.Slot(c)]` would index the old one.
                var slot = t.Slot(category);
                t.View[slot] += w;
                viewTotal += w;
            }
        }

        latest = long.MinValue;
        for (var i = 0; i < sales.Count; i++)
        {
            if (sales[i].Category is not null && (double)sales[i].AmountE4 > 0)
            {
                latest = Math.Max(latest, sales[i].At);
            }
        }

        double spendTotal = 0;
        for (var i = 0; i < sales.Count; i++)
        {
            var amount = (double)sales[i].AmountE4;
            if (sales[i].Category is { } category && amount > 0)
            {
                var w = amount * Decay.Weight(sales[i].At, latest, settings.HalfLifeDays);
                var slot = t.Slot(category);
                t.Spend[slot] += w;
                spendTotal += w;
            }
        }

        var result = new CategoryAffinity[t.Count];
        for (var i = 0; i < t.Count; i++)
        {
            // A customer with views has a view share for every category: 0 where they viewed none.
            double? v = viewTotal > 0 ? t.View[i] / viewTotal : null;
            double? s = spendTotal > 0 ? t.Spend[i] / spendTotal : null;
            var blended = (v, s) switch
            {
                ({ } view, { } spend) => (settings.SpendWeight * spend) + ((1 - settings.SpendWeight) * view),
                (null, { } spend) => spend,
                ({ } view, null) => view,
                _ => 0,
            };
            result[i] = new CategoryAffinity(t.Keys[i], v, s, blended);
        }

        Array.Sort(result, static (a, b) => a.Affinity != b.Affinity ? b.Affinity.CompareTo(a.Affinity) : string.CompareOrdinal(a.Category, b.Category));
        return result;
    }

    public static IReadOnlyList<ChannelShare> ChannelShares(IReadOnlyDictionary<string, long> interactions, IReadOnlyDictionary<string, long> purchases)
    {
        // Each dictionary enumerated once, into the thread's scratch lists: enumerating an
        // interface allocates an enumerator, four per customer of a recomputation before.
        var (ins, outs) = (t_interactions ??= [], t_purchases ??= []);
        ins.Clear();
        outs.Clear();
        ins.AddRange(interactions);
        outs.AddRange(purchases);
        long totalInteractions = 0, totalPurchases = 0;
        foreach (var (_, n) in ins)
        {
            totalInteractions += n;
        }

        foreach (var (_, n) in outs)
        {
            totalPurchases += n;
        }

        var result = new List<ChannelShare>(ins.Count + outs.Count);
        void Add(string c)
        {
            var i = interactions.GetValueOrDefault(c);
            var p = purchases.GetValueOrDefault(c);
            result.Add(new ChannelShare(
                c, i, p,
                totalInteractions > 0 ? (double)i / totalInteractions : null,
                totalPurchases > 0 ? (double)p / totalPurchases : null));
        }

        foreach (var (c, _) in ins)
        {
            Add(c);
        }

        foreach (var (c, _) in outs)
        {
            if (!interactions.ContainsKey(c))
            {
                Add(c);
            }
        }

        result.Sort(static (a, b) =>
            a.Purchases != b.Purchases ? b.Purchases.CompareTo(a.Purchases)
            : a.Interactions != b.Interactions ? b.Interactions.CompareTo(a.Interactions)
            : string.CompareOrdinal(a.Channel, b.Channel));
        return result;
    }

    [ThreadStatic]
    private static List<KeyValuePair<string, long>>? t_interactions;

    [ThreadStatic]
    private static List<KeyValuePair<string, long>>? t_purchases;

    public static PriceSensitivity Sensitivity(IReadOnlyList<PurchaseLine> sales, long shown, long accepted, long coupons)
    {
        long units = 0, discountedUnits = 0, revenue = 0, discountedRevenue = 0;
        for (var i = 0; i < sales.Count; i++)
        {
            var l = sales[i];
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
        if (statements.Count == 0)
        {
            return new StatedPreferences(null, null);
        }

        // Stable by time (equal times keep their order), as the later of two statements wins.
        var ordered = new PreferenceStatement[statements.Count];
        for (var i = 0; i < ordered.Length; i++)
        {
            var s = statements[i];
            var j = i;
            for (; j > 0 && ordered[j - 1].At > s.At; j--)
            {
                ordered[j] = ordered[j - 1];
            }

            ordered[j] = s;
        }

        Stated<string>? values = null;
        Stated<IReadOnlyList<string>>? interests = null;
        foreach (var s in ordered)
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

    /// <summary>Per category seen: decayed view and spend weights (a handful per customer: a linear search beats hashing).</summary>
    private sealed class CategoryTally
    {
        public string[] Keys = new string[8];
        public double[] View = new double[8];
        public double[] Spend = new double[8];
        public int Count;

        public int Slot(string key)
        {
            for (var i = 0; i < Count; i++)
            {
                if (ReferenceEquals(Keys[i], key) || string.Equals(Keys[i], key, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            if (Count == Keys.Length)
            {
                Array.Resize(ref Keys, Count * 2);
                Array.Resize(ref View, Count * 2);
                Array.Resize(ref Spend, Count * 2);
            }

            Keys[Count] = key;
            return Count++;
        }
    }
}
