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
        var all = new List<Interaction>(data.Views.Count + data.CartAdds.Count + data.Purchases.Count);
        all.AddRange(data.Views);
        all.AddRange(data.CartAdds);
        all.AddRange(data.Purchases);

        // Decay is measured to the latest interaction (never after now): on live data that is
        // about now; an imported history (the UCI sample ends in 2011) is not all decayed to zero.
        long nowSeconds = Math.Min(now.ToUnixTimeSeconds(), all.Count == 0 ? long.MaxValue : all.Max(x => x.Time));
        var sar = SarModel.Train(
            all.ToArray(), users, items,
            new SarOptions { HalfLifeDays = options.HalfLifeDays, MaxNeighbours = options.MaxNeighbours, Now = nowSeconds });
        var coView = ItemSimilarity.Build(Recency(data.Views, users, items, nowSeconds, options), SimilarityKind.Jaccard, 1, options.MaxNeighbours, decayed: true).Similarity;
        var coPurchase = ItemSimilarity.Build(Recency(data.Purchases, users, items, nowSeconds, options), SimilarityKind.Jaccard, 1, options.MaxNeighbours, decayed: true).Similarity;
        var baskets = SparseRows.FromTriplets(data.Baskets, items, data.BasketLines.Select(l => (l.Basket, l.Item, 1f)).ToArray(), static (a, _) => a);
        var fbt = FrequentlyBoughtTogether.Build(baskets, options.FbtMinSupport, options.MaxNeighbours);
        var bought = SparseRows.FromTriplets(users, items, data.Purchases.Select(p => (p.User, p.Item, 1f)).ToArray());
        var repeat = PurchaseRules.RepeatRates(data.Purchases.Select(p => (p.User, p.Item, p.Time / 86_400)).ToArray(), items);
        var buyable = data.Catalog.Select(c => c is { Available: true }).ToArray();
        var info = new RecommenderInfo(now, items, buyable.Count(b => b), users, all.Count, data.Baskets, sar.Similarity.NonZeros, fbt.PairCount, 0);
        return new RecommenderSnapshot(data, sar, coView, coPurchase, fbt, CatalogOf(data), new PurchaseRules(buyable, repeat, options.RepeatThreshold), bought, info);
    }

    /// <summary>Users × items with the decay of each user's latest interaction with the item: the holders of time-decayed co-occurrence.</summary>
    private static SparseRows Recency(List<Interaction> signals, int users, int items, long now, RecommendationOptions options) =>
        SparseRows.FromTriplets(
            users, items,
            signals.Select(x => (x.User, x.Item, SarModel.Decay(x.Time, now, options.HalfLifeDays))).ToArray(),
            Math.Max);

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
