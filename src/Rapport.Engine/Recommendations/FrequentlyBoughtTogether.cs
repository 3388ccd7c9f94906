namespace Rapport.Engine.Recommendations;

/// <summary>
/// Cross-sell from baskets: j is bought together with i when at least <c>minSupport</c> baskets
/// hold both and j is more likely in a basket with i than in any basket (lift above 1). Ranked by
/// confidence P(j | i). A cart of several items adds up their confidences.
/// </summary>
public sealed class FrequentlyBoughtTogether
{
    private readonly SparseRows _confidence;
    private readonly int[] _occurrences;
    private readonly int _baskets;

    private FrequentlyBoughtTogether(SparseRows confidence, int[] occurrences, int baskets, int minSupport)
    {
        _confidence = confidence;
        _occurrences = occurrences;
        _baskets = baskets;
        MinSupport = minSupport;
    }

    public int MinSupport { get; }

    /// <summary>Stored (item, partner) entries, the items themselves not counted.</summary>
    public int PairCount
    {
        get
        {
            int pairs = 0;
            for (int i = 0; i < _confidence.RowCount; i++)
            {
                pairs += _confidence.Columns(i).Length - (_confidence.Contains(i, i) ? 1 : 0);
            }

            return pairs;
        }
    }

    /// <param name="baskets">Rows are baskets (orders), columns items.</param>
    /// <param name="minSupport">Fewest baskets a pair must share to count at all.</param>
    /// <param name="maxNeighbours">Strongest partners kept per item.</param>
    public static FrequentlyBoughtTogether Build(SparseRows baskets, int minSupport = 2, int maxNeighbours = 100)
    {
        var (confidence, occurrences) = ItemSimilarity.Build(baskets, SimilarityKind.Confidence, minSupport, maxNeighbours);
        return new FrequentlyBoughtTogether(confidence, occurrences, baskets.RowCount, minSupport);
    }

    /// <summary>Number of baskets holding both items (0 below the support threshold).</summary>
    public int Support(int item, int other) => (int)Math.Round(_confidence.Get(item, other) * _occurrences[item]);

    public ScoredItem[] For(int item, int k, Func<int, bool>? allowed = null) => For([item], k, allowed);

    /// <summary>What goes with all of <paramref name="items"/> (a product page, a cart), the items themselves left out.</summary>
    public ScoredItem[] For(ReadOnlySpan<int> items, int k, Func<int, bool>? allowed = null)
    {
        var scores = new Dictionary<int, float>();
        foreach (int i in items)
        {
            var partners = _confidence.Columns(i);
            var confidences = _confidence.Row(i);
            for (int m = 0; m < partners.Length; m++)
            {
                int j = partners[m];
                float lift = confidences[m] / ((float)_occurrences[j] / _baskets);
                if (j != i && lift > 1f)
                {
                    scores[j] = scores.GetValueOrDefault(j) + confidences[m];
                }
            }
        }

        var top = new TopK(k);
        foreach (var (j, score) in scores)
        {
            if (!items.Contains(j) && (allowed is null || allowed(j)))
            {
                top.Offer(j, score);
            }
        }

        return top.Result();
    }
}
