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
    /// <returns>Items × items similarity (diagonal included) and each item's number of holders.</returns>
    public static (SparseRows Similarity, int[] Occurrences) Build(
        SparseRows holders, SimilarityKind kind, int minCooccurrence = 1, int maxNeighbours = 0, Action<int, int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minCooccurrence, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxNeighbours);
        int items = holders.ColumnCount;
        var byItem = holders.Transpose();
        var occurrences = new int[items];
        for (int i = 0; i < items; i++)
        {
            occurrences[i] = byItem.Starts[i + 1] - byItem.Starts[i];
        }

        var counts = new int[items];
        var touched = new List<int>();
        var starts = new int[items + 1];
        var cols = new List<int>();
        var vals = new List<float>();
        var row = new List<(int Item, float Value)>();
        int step = Math.Max(1, items / 20);
        for (int i = 0; i < items; i++)
        {
            foreach (int holder in byItem.Columns(i))
            {
                foreach (int j in holders.Columns(holder))
                {
                    if (counts[j]++ == 0)
                    {
                        touched.Add(j);
                    }
                }
            }

            row.Clear();
            foreach (int j in touched)
            {
                int c = counts[j];
                counts[j] = 0;
                if (c >= minCooccurrence || j == i)
                {
                    row.Add((j, Similarity(kind, c, occurrences[i], occurrences[j])));
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

            if (progress is not null && (i + 1) % step == 0)
            {
                progress(i + 1, items);
            }
        }

        starts[items] = cols.Count;
        return (new SparseRows(items, items, starts, cols.ToArray(), vals.ToArray()), occurrences);
    }

    public static float Similarity(SimilarityKind kind, int together, int first, int second) => kind switch
    {
        SimilarityKind.Jaccard => together / (float)(first + second - together),
        SimilarityKind.Lift => (float)(together / ((double)first * second)),
        SimilarityKind.Counts => together,
        SimilarityKind.Confidence => together / (float)first,
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
