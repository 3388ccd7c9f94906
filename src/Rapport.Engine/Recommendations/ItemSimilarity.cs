namespace Rapport.Engine.Recommendations;

/// <summary>How co-occurrence counts become a similarity (SAR's three choices, plus confidence for baskets).</summary>
public enum SimilarityKind
{
    /// <summary>c(i,j) / (c(i) + c(j) − c(i,j)): shared holders over holders of either. SAR's default.</summary>
    Jaccard,

    /// <summary>c(i,j) / (c(i) · c(j)): favours discovery of rarer items.</summary>
    Lift,

    /// <summary>c(i,j): raw co-occurrence, favours popular items (predictability).</summary>
    Counts,

    /// <summary>c(i,j) / c(i): P(j | i), asymmetric; "who bought i also bought j".</summary>
    Confidence,
}

/// <summary>
/// Item-to-item similarity from co-occurrence: two items co-occur once for every holder (a user,
/// or a basket) that has both. Built one row at a time with a dense counter and a touched list,
/// so memory is the result plus O(items), never the full count matrix; rows can be pruned to
/// the strongest neighbours as they are built.
/// </summary>
public static class ItemSimilarity
{
    /// <param name="holders">Rows are users or baskets, columns items; presence is what counts (values are ignored).</param>
    /// <param name="kind">How counts become similarity.</param>
    /// <param name="minCooccurrence">Pairs seen together fewer times are dropped (SAR's threshold; a support threshold for baskets). The diagonal is always kept.</param>
    /// <param name="maxNeighbours">Keep only this many strongest entries per row (0 keeps all), besides the diagonal.</param>
    /// <param name="progress">Called now and then with (items done, items).</param>
    /// <param name="decayed">
    /// Time-decayed co-occurrence: holder values are recency weights in (0, 1] (e.g. the decay of
    /// the holder's latest interaction with the item); a pair then counts min(w_i, w_j) instead
    /// of 1 and an item Σ w, so old pairs fade. The threshold still applies to the plain count.
    /// </param>
    /// <returns>Items × items similarity (diagonal included) and each item's number of holders.</returns>
    public static (SparseRows Similarity, int[] Occurrences) Build(
        SparseRows holders, SimilarityKind kind, int minCooccurrence = 1, int maxNeighbours = 0, Action<int, int>? progress = null, bool decayed = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minCooccurrence, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxNeighbours);
        int items = holders.ColumnCount;
        var byItem = holders.Transpose();
        var occurrences = new int[items];
        var mass = new double[items];
        for (int i = 0; i < items; i++)
        {
            occurrences[i] = byItem.Starts[i + 1] - byItem.Starts[i];
            foreach (float w in byItem.Row(i))
            {
                mass[i] += decayed ? w : 1;
            }
        }

        var counts = new int[items];
        var weights = new double[items];
        var touched = new List<int>();
        var starts = new int[items + 1];
        // Chunked: a doubling list of millions of pairs would leave its outgrown arrays on the large-object heap.
        var cols = new ChunkedList<int>();
        var vals = new ChunkedList<float>();
        var row = new List<(int Item, float Value)>();
        int step = Math.Max(1, items / 20);
        for (int i = 0; i < items; i++)
        {
            var holdersOfI = byItem.Columns(i);
            var weightsOfI = byItem.Row(i);
            for (int h = 0; h < holdersOfI.Length; h++)
            {
                var others = holders.Columns(holdersOfI[h]);
                var otherWeights = holders.Row(holdersOfI[h]);
                for (int m = 0; m < others.Length; m++)
                {
                    int j = others[m];
                    if (counts[j]++ == 0)
                    {
                        touched.Add(j);
                    }

                    if (decayed)
                    {
                        weights[j] += Math.Min(weightsOfI[h], otherWeights[m]);
                    }
                }
            }

            row.Clear();
            foreach (int j in touched)
            {
                int c = counts[j];
                double together = decayed ? weights[j] : c;
                counts[j] = 0;
                weights[j] = 0;
                if (c >= minCooccurrence || j == i)
                {
                    row.Add((j, Similarity(kind, together, mass[i], mass[j])));
                }
            }

            touched.Clear();
            if (maxNeighbours > 0 && row.Count > maxNeighbours + 1)
            {
                Prune(row, i, maxNeighbours);
            }

            row.Sort(static (a, b) => a.Item.CompareTo(b.Item));
            starts[i] = cols.Count;
            foreach (var (j, v) in row)
            {
                cols.Add(j);
                vals.Add(v);
            }

            if (progress is not null && ((i + 1) % step == 0 || i + 1 == items))
            {
                progress(i + 1, items);
            }
        }

        starts[items] = cols.Count;
        return (new SparseRows(items, items, starts, cols.ToArray(), vals.ToArray()), occurrences);
    }

    /// <summary>The <paramref name="k"/> items most similar to <paramref name="item"/> in <paramref name="similarity"/>, itself left out.</summary>
    public static ScoredItem[] TopNeighbours(SparseRows similarity, int item, int k, Func<int, bool>? allowed = null)
    {
        var top = new TopK(k);
        var neighbours = similarity.Columns(item);
        var values = similarity.Row(item);
        for (int m = 0; m < neighbours.Length; m++)
        {
            if (neighbours[m] != item && values[m] > 0 && (allowed is null || allowed(neighbours[m])))
            {
                top.Offer(neighbours[m], values[m]);
            }
        }

        return top.Result();
    }

    public static float Similarity(SimilarityKind kind, double together, double first, double second) => kind switch
    {
        SimilarityKind.Jaccard => (float)(together / (first + second - together)),
        SimilarityKind.Lift => (float)(together / (first * second)),
        SimilarityKind.Counts => (float)together,
        SimilarityKind.Confidence => (float)(together / first),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Keeps the diagonal and the <paramref name="keep"/> strongest others (ties: lower id).</summary>
    private static void Prune(List<(int Item, float Value)> row, int self, int keep)
    {
        var diagonal = row.Find(e => e.Item == self);
        row.RemoveAll(e => e.Item == self);
        row.Sort(static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : a.Item.CompareTo(b.Item));
        row.RemoveRange(keep, row.Count - keep);
        row.Add(diagonal);
    }
}
