namespace Rapport.Engine.Recommendations;

/// <summary>What the catalogue says about each item (by dense id): category (−1 none), price and margin (NaN unknown).</summary>
public sealed class ItemCatalog
{
    public ItemCatalog(int[] category, double[] price, double[] margin)
    {
        if (price.Length != category.Length || margin.Length != category.Length)
        {
            throw new ArgumentException("category, price and margin need one entry per item.");
        }

        Category = category;
        Price = price;
        Margin = margin;
        var members = new Dictionary<int, List<int>>();
        for (int i = 0; i < category.Length; i++)
        {
            if (category[i] >= 0)
            {
                (members.TryGetValue(category[i], out var list) ? list : members[category[i]] = []).Add(i);
            }
        }

        Members = members.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    public int[] Category { get; }

    public double[] Price { get; }

    public double[] Margin { get; }

    /// <summary>Items per category.</summary>
    public IReadOnlyDictionary<int, int[]> Members { get; }

    /// <summary>
    /// Whether <paramref name="candidate"/> is a step up from <paramref name="item"/>: a higher
    /// price, or when both margins are known, a higher margin at no lower price.
    /// </summary>
    public bool IsStepUp(int item, int candidate)
    {
        double p = Price[item], q = Price[candidate];
        if (double.IsNaN(p) || double.IsNaN(q))
        {
            return false;
        }

        return q > p || (q == p && Margin[candidate] > Margin[item]);
    }
}

/// <summary>
/// Up-sell: better or higher-value alternatives to an item: same category, a step up in price
/// (or margin), ranked by how similar shoppers found them (SAR similarity), then by popularity,
/// so a similar step up comes before an unrelated expensive one.
/// </summary>
public static class UpSell
{
    public static ScoredItem[] For(int item, int k, ItemCatalog catalog, SparseRows similarity, float[] popularity, Func<int, bool>? allowed = null)
    {
        int category = catalog.Category[item];
        if (category < 0 || !catalog.Members.TryGetValue(category, out var members))
        {
            return [];
        }

        float maxPopularity = Math.Max(popularity.Length == 0 ? 0 : popularity.Max(), float.Epsilon);
        var top = new TopK(k);
        foreach (int j in members)
        {
            if (j != item && catalog.IsStepUp(item, j) && (allowed is null || allowed(j)))
            {
                // Popularity only breaks ties: it adds at most 0.001, below any real similarity step.
                top.Offer(j, similarity.Get(item, j) + (0.001f * popularity[j] / maxPopularity));
            }
        }

        return top.Result();
    }
}
