using Rapport.Engine.Recommendations;

namespace Rapport.Core.Recommendations;

/// <summary>What a retrain produced: counts and time, for the status reply and logs.</summary>
public sealed record RecommenderInfo(DateTimeOffset BuiltAt, int Items, int BuyableItems, int Customers, int Interactions, int Baskets, long SimilarityPairs, long FbtPairs, double Seconds);

/// <summary>
/// One immutable trained state, swapped in whole by <see cref="Recommender"/>: readers never see
/// a half-built model and need no locks. Holds the SAR model over all signals, co-view and
/// co-purchase similarities, baskets for frequently-bought-together, the catalogue and the
/// purchase rules, all over dense int ids.
/// </summary>
public sealed class RecommenderSnapshot
{
    private RecommenderSnapshot(RecommendationData data, SarModel sar, SparseRows coView, SparseRows coPurchase, FrequentlyBoughtTogether fbt,
        ItemCatalog catalog, PurchaseRules rules, SparseRows bought, RecommenderInfo info)
    {
        Items = data.Items;
        Users = data.Users;
        Names = data.Catalog.Select((c, i) => c?.Name ?? data.Items[i]).ToArray();
        Sar = sar;
        CoView = coView;
        CoPurchase = coPurchase;
        Fbt = fbt;
        Catalog = catalog;
        Rules = rules;
        Bought = bought;
        Info = info;
    }

    public IdIndex<string> Items { get; }

    public IdIndex<long> Users { get; }

    public string[] Names { get; }

    public SarModel Sar { get; }

    public SparseRows CoView { get; }

    public SparseRows CoPurchase { get; }

    public FrequentlyBoughtTogether Fbt { get; }

    public ItemCatalog Catalog { get; }

    public PurchaseRules Rules { get; }

    /// <summary>Users × items they bought (value = times bought).</summary>
    public SparseRows Bought { get; }

    public RecommenderInfo Info { get; internal set; }

    public static RecommenderSnapshot Build(RecommendationData data, RecommendationOptions options, DateTimeOffset now)
    {
        int items = data.Items.Count, users = data.Users.Count;
        ChunkedList<Interaction>[] signals = [data.Views, data.CartAdds, data.Purchases];
        int interactions = signals.Sum(s => s.Count);

        // Decay is measured to the latest interaction (never after now): on live data that is
        // about now; an imported history (the UCI sample ends in 2011) is not all decayed to zero.
        long nowSeconds = Math.Min(now.ToUnixTimeSeconds(), interactions == 0 ? long.MaxValue : Latest(signals));
        double halfLife = options.HalfLifeDays;

        // Every matrix is built straight from the chunked signals (SparseRows.FromTriplets with an
        // emitter): no concatenated copy of all interactions and no triplet arrays.
        var affinity = SparseRows.FromTriplets(users, items, sink =>
        {
            foreach (var signal in signals)
            {
                signal.ForEach(x => sink(x.User, x.Item, x.Weight * SarModel.Decay(x.Time, nowSeconds, halfLife)));
            }
        });
        var sar = SarModel.FromAffinity(affinity, new SarOptions { HalfLifeDays = halfLife, MaxNeighbours = options.MaxNeighbours, Now = nowSeconds }, nowSeconds);
        var coView = ItemSimilarity.Build(Recency(data.Views, users, items, nowSeconds, halfLife), SimilarityKind.Jaccard, 1, options.MaxNeighbours, decayed: true).Similarity;
        var coPurchase = ItemSimilarity.Build(Recency(data.Purchases, users, items, nowSeconds, halfLife), SimilarityKind.Jaccard, 1, options.MaxNeighbours, decayed: true).Similarity;
        var baskets = SparseRows.FromTriplets(data.Baskets, items, sink => data.BasketLines.ForEach(l => sink(l.Basket, l.Item, 1f)), static (a, _) => a);
        var fbt = FrequentlyBoughtTogether.Build(baskets, options.FbtMinSupport, options.MaxNeighbours);
        var bought = SparseRows.FromTriplets(users, items, sink => data.Purchases.ForEach(p => sink(p.User, p.Item, 1f)));
        var purchaseDays = new (int User, int Item, long Day)[data.Purchases.Count];
        int n = 0;
        data.Purchases.ForEach(p => purchaseDays[n++] = (p.User, p.Item, p.Time / 86_400));
        var repeat = PurchaseRules.RepeatRates(purchaseDays, items);
        var buyable = data.Catalog.Select(c => c is { Available: true }).ToArray();
        var info = new RecommenderInfo(now, items, buyable.Count(b => b), users, interactions, data.Baskets, sar.Similarity.NonZeros, fbt.PairCount, 0);
        return new RecommenderSnapshot(data, sar, coView, coPurchase, fbt, CatalogOf(data), new PurchaseRules(buyable, repeat, options.RepeatThreshold), bought, info);
    }

    /// <summary>Users × items with the decay of each user's latest interaction with the item: the holders of time-decayed co-occurrence.</summary>
    private static SparseRows Recency(ChunkedList<Interaction> signals, int users, int items, long now, double halfLifeDays) =>
        SparseRows.FromTriplets(users, items, sink => signals.ForEach(x => sink(x.User, x.Item, SarModel.Decay(x.Time, now, halfLifeDays))), Math.Max);

    private static long Latest(ChunkedList<Interaction>[] signals)
    {
        long latest = long.MinValue;
        foreach (var signal in signals)
        {
            signal.ForEach(x => latest = Math.Max(latest, x.Time));
        }

        return latest;
    }

    private static ItemCatalog CatalogOf(RecommendationData data)
    {
        var categories = new IdIndex<string>(StringComparer.Ordinal);
        int n = data.Items.Count;
        var category = new int[n];
        var price = new double[n];
        var margin = new double[n];
        for (int i = 0; i < n; i++)
        {
            var c = data.Catalog[i];
            category[i] = c?.Category is { Length: > 0 } name ? categories.Add(name) : -1;
            price[i] = c?.Price is { } p ? (double)p : double.NaN;
            margin[i] = c is { Price: { } pp, UnitCost: { } cost } ? (double)(pp - cost) : double.NaN;
        }

        return new ItemCatalog(category, price, margin);
    }
}
