namespace Rapport.Engine.Recommendations;

/// <summary>SAR's knobs. The defaults are Microsoft Recommenders' published MovieLens setting (Jaccard, 30-day half-life).</summary>
public sealed record SarOptions
{
    public SimilarityKind Similarity { get; init; } = SimilarityKind.Jaccard;

    /// <summary>An interaction this many days older than <see cref="Now"/> counts half; 0 turns decay off.</summary>
    public double HalfLifeDays { get; init; } = 30;

    /// <summary>Item pairs that co-occur for fewer users are not similar at all.</summary>
    public int MinCooccurrence { get; init; } = 1;

    /// <summary>Keep at most this many neighbours per item (0 = all, as SAR does); bounds memory on big catalogues.</summary>
    public int MaxNeighbours { get; init; }

    /// <summary>The time decay is measured to (unix seconds); null = the latest interaction, as SAR does.</summary>
    public long? Now { get; init; }
}

/// <summary>
/// Smart Adaptive Recommendations (SAR, Microsoft Recommenders): item-to-item similarity from
/// co-occurrence, a time-decayed affinity of every user for every item they touched, and
/// scores = affinity × similarity. Training is two sparse passes; scoring a user touches only
/// the neighbours of the items they had, through a per-thread buffer (no allocation per item).
/// </summary>
public sealed class SarModel
{
    [ThreadStatic]
    private static ScoreBuffer? _buffer;

    private readonly int[] _byPopularity;

    public SarModel(SparseRows similarity, SparseRows affinity, float[] popularity, long referenceTime)
    {
        if (similarity.RowCount != popularity.Length || affinity.ColumnCount != popularity.Length)
        {
            throw new ArgumentException("similarity, affinity and popularity must cover the same items.");
        }

        Similarity = similarity;
        Affinity = affinity;
        Popularity = popularity;
        ReferenceTime = referenceTime;
        _byPopularity = new int[popularity.Length];
        for (int i = 0; i < _byPopularity.Length; i++)
        {
            _byPopularity[i] = i;
        }

        Array.Sort(_byPopularity, (a, b) => popularity[b] != popularity[a] ? popularity[b].CompareTo(popularity[a]) : a.CompareTo(b));
    }

    /// <summary>Items × items, diagonal included.</summary>
    public SparseRows Similarity { get; }

    /// <summary>Users × items, time-decayed and weighted.</summary>
    public SparseRows Affinity { get; }

    /// <summary>Each item's total decayed affinity over all users: the fallback for new visitors.</summary>
    public float[] Popularity { get; }

    /// <summary>The time (unix seconds) decay was measured to.</summary>
    public long ReferenceTime { get; }

    public int Users => Affinity.RowCount;

    public int Items => Popularity.Length;

    public static SarModel Train(ReadOnlySpan<Interaction> interactions, int users, int items, SarOptions options, Action<string>? progress = null)
    {
        long now = options.Now ?? LatestTime(interactions);
        progress?.Invoke($"affinity: {interactions.Length:N0} interactions, {users:N0} users, {items:N0} items");
        return FromAffinity(UserAffinity(interactions, users, items, now, options.HalfLifeDays), options, now, progress);
    }

    /// <summary>
    /// SAR from an affinity matrix already built (users × items, Σ weight × decay to
    /// <paramref name="now"/>): for callers that hold their interactions in pieces and build it
    /// without a copy of them all (<see cref="SparseRows.FromTriplets(int, int, Action{SparseRows.TripletSink}, Func{float, float, float}?)"/>).
    /// </summary>
    public static SarModel FromAffinity(SparseRows affinity, SarOptions options, long now, Action<string>? progress = null)
    {
        progress?.Invoke($"affinity: {affinity.NonZeros:N0} user-item pairs");
        var (similarity, _) = ItemSimilarity.Build(
            affinity, options.Similarity, options.MinCooccurrence, options.MaxNeighbours,
            progress is null ? null : (done, all) => progress($"similarity: {done:N0}/{all:N0} items ({100.0 * done / all:F0}%)"));
        progress?.Invoke($"similarity: {similarity.NonZeros:N0} item pairs");
        return new SarModel(similarity, affinity, ColumnSums(affinity), now);
    }

    /// <summary>2^(−age / half-life); ages below zero (future times) count as now.</summary>
    public static float Decay(long time, long now, double halfLifeDays) =>
        halfLifeDays <= 0 ? 1f : (float)Math.Pow(2, -Math.Max(0, now - time) / (halfLifeDays * 86_400));

    /// <summary>Σ weight × decay per (user, item).</summary>
    public static SparseRows UserAffinity(ReadOnlySpan<Interaction> interactions, int users, int items, long now, double halfLifeDays)
    {
        var triplets = new (int, int, float)[interactions.Length];
        for (int n = 0; n < interactions.Length; n++)
        {
            var x = interactions[n];
            triplets[n] = (x.User, x.Item, x.Weight * Decay(x.Time, now, halfLifeDays));
        }

        return SparseRows.FromTriplets(users, items, triplets);
    }

    /// <summary>The user's top k; <paramref name="excludeSeen"/> drops items they already have.</summary>
    public ScoredItem[] Recommend(int user, int k, bool excludeSeen, Func<int, bool>? allowed = null)
    {
        var seen = Affinity.Columns(user);
        var seenArray = excludeSeen ? seen.ToArray() : null;
        Func<int, bool>? filter = seenArray is null ? allowed : i => Array.BinarySearch(seenArray, i) < 0 && (allowed is null || allowed(i));
        return Recommend(seen, Affinity.Row(user), k, filter);
    }

    /// <summary>Scores for any affinity vector (a user's row plus what they did since training, or a visitor's session).</summary>
    public ScoredItem[] Recommend(ReadOnlySpan<int> items, ReadOnlySpan<float> affinity, int k, Func<int, bool>? allowed = null)
    {
        var buffer = _buffer is { } b && b.Scores.Length == Items ? b : (_buffer = new ScoreBuffer(Items));
        try
        {
            for (int n = 0; n < items.Length; n++)
            {
                float a = affinity[n];
                var neighbours = Similarity.Columns(items[n]);
                var similarities = Similarity.Row(items[n]);
                for (int m = 0; m < neighbours.Length; m++)
                {
                    buffer.Add(neighbours[m], a * similarities[m]);
                }
            }

            var top = new TopK(k);
            foreach (int j in buffer.Touched)
            {
                if (allowed is null || allowed(j))
                {
                    top.Offer(j, buffer.Scores[j]);
                }
            }

            return top.Result();
        }
        finally
        {
            buffer.Clear();
        }
    }

    /// <summary>The items most similar to <paramref name="item"/>, itself left out.</summary>
    public ScoredItem[] Similar(int item, int k, Func<int, bool>? allowed = null) => ItemSimilarity.TopNeighbours(Similarity, item, k, allowed);

    /// <summary>The most popular allowed items: walks a precomputed order, so O(k + skipped).</summary>
    public ScoredItem[] Popular(int k, Func<int, bool>? allowed = null)
    {
        var result = new List<ScoredItem>(k);
        foreach (int i in _byPopularity)
        {
            if (result.Count == k || Popularity[i] <= 0)
            {
                break;
            }

            if (allowed is null || allowed(i))
            {
                result.Add(new ScoredItem(i, Popularity[i]));
            }
        }

        return result.ToArray();
    }

    private static long LatestTime(ReadOnlySpan<Interaction> interactions)
    {
        long latest = long.MinValue;
        foreach (var x in interactions)
        {
            latest = Math.Max(latest, x.Time);
        }

        return interactions.IsEmpty ? 0 : latest;
    }

    private static float[] ColumnSums(SparseRows m)
    {
        var sums = new float[m.ColumnCount];
        for (int n = 0; n < m.NonZeros; n++)
        {
            sums[m.ColumnIds[n]] += m.Values[n];
        }

        return sums;
    }

    /// <summary>A dense score per item and the list of items touched, reset after each request.</summary>
    private sealed class ScoreBuffer(int items)
    {
        public float[] Scores { get; } = new float[items];

        public List<int> Touched { get; } = [];

        private readonly bool[] _marked = new bool[items];

        public void Add(int item, float score)
        {
            if (!_marked[item])
            {
                _marked[item] = true;
                Touched.Add(item);
            }

            Scores[item] += score;
        }

        public void Clear()
        {
            foreach (int i in Touched)
            {
                Scores[i] = 0;
                _marked[i] = false;
            }

            Touched.Clear();
        }
    }
}
