namespace Rapport.Engine.Recommendations;

/// <summary>Averages over the evaluated users; coverage is the share of the catalogue recommended to anyone.</summary>
public readonly record struct RankingScores(double Precision, double Recall, double Ndcg, double Map, double Coverage, int Users);

/// <summary>
/// Top-k ranking metrics with binary relevance, defined as Microsoft Recommenders'
/// python_evaluation defines them (so numbers compare with the published SAR table):
/// precision@k = hits / k; recall@k = hits / |relevant|; nDCG@k = Σ 1/log2(rank+1) over hits,
/// divided by the same sum over the first min(k, |relevant|) ranks; MAP@k = mean over users of
/// Σ_{hit at rank r} (hits up to r / r) / |relevant| (divided by all relevant items, not by
/// min(k, |relevant|), which makes it lower than some other libraries' MAP).
/// </summary>
public static class RankingMetrics
{
    /// <param name="recommended">Per user, the ranked list (at most k used).</param>
    /// <param name="relevant">Per user, the items they actually went on to have; users with none are skipped.</param>
    /// <param name="k">Cut-off.</param>
    /// <param name="catalogueSize">Items that could have been recommended (for coverage).</param>
    public static RankingScores Compute(IReadOnlyList<int[]> recommended, IReadOnlyList<IReadOnlySet<int>> relevant, int k, int catalogueSize)
    {
        if (recommended.Count != relevant.Count)
        {
            throw new ArgumentException("recommended and relevant need one entry per user.");
        }

        double precision = 0, recall = 0, ndcg = 0, map = 0;
        int users = 0;
        var shown = new HashSet<int>();
        for (int u = 0; u < recommended.Count; u++)
        {
            var truth = relevant[u];
            if (truth.Count == 0)
            {
                continue;
            }

            users++;
            int hits = 0;
            double dcg = 0, ap = 0;
            var list = recommended[u];
            for (int r = 0; r < Math.Min(k, list.Length); r++)
            {
                shown.Add(list[r]);
                if (truth.Contains(list[r]))
                {
                    hits++;
                    dcg += 1 / Math.Log2(r + 2);
                    ap += (double)hits / (r + 1);
                }
            }

            double idcg = 0;
            for (int r = 0; r < Math.Min(k, truth.Count); r++)
            {
                idcg += 1 / Math.Log2(r + 2);
            }

            precision += (double)hits / k;
            recall += (double)hits / truth.Count;
            ndcg += dcg / idcg;
            map += ap / truth.Count;
        }

        return users == 0
            ? new RankingScores(0, 0, 0, 0, 0, 0)
            : new RankingScores(precision / users, recall / users, ndcg / users, map / users, catalogueSize == 0 ? 0 : (double)shown.Count / catalogueSize, users);
    }
}
