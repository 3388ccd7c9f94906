using Rapport.Core.Storage;
using Rapport.Engine.Recommendations;

namespace Rapport.Core.Recommendations;

/// <summary>Which list to produce.</summary>
public enum RecommendationKind
{
    Personal,
    Similar,
    Fbt,
    Upsell,
    Resume,
    Popular,
}

/// <summary>Which signal item-to-item similarity uses: all of them (SAR), product views only, or purchases only.</summary>
public enum SimilaritySignal
{
    All,
    Views,
    Purchases,
}

public sealed record RecommendedItem(int Rank, string Sku, string Name, double Score);

/// <summary>
/// The served recommender: the current <see cref="RecommenderSnapshot"/> in memory (swapped
/// whole by a retrain, so requests read it without locks or database round trips) plus the
/// customers' <see cref="RecentActivity"/> since. Every list passes the purchase rules.
/// </summary>
public sealed class Recommender(IDatabase database, TimeProvider clock, RecommendationOptions options, RecentActivity recent)
{
    private readonly SemaphoreSlim _training = new(1, 1);
    private readonly Lock _firstLock = new();
    private Task<RecommenderSnapshot>? _first;
    private DateTimeOffset? _firstStartedAt;
    private volatile RecommenderSnapshot? _snapshot;
    private long _staleSince;

    public RecommenderSnapshot? Snapshot => _snapshot;

    /// <summary>Whether events arrived that the model has not absorbed (or there is no model yet).</summary>
    public bool IsStale => _snapshot is null || Interlocked.Read(ref _staleSince) > 0;

    public RecentActivity Recent => recent;

    public void MarkStale() => Interlocked.CompareExchange(ref _staleSince, 1, 0);

    /// <summary>Rebuilds the model from the store; concurrent calls run one after the other, each sees everything committed before it started.</summary>
    public async Task<RecommenderInfo> RetrainAsync(CancellationToken ct = default) => (await TrainAsync(onlyIfMissing: false, ct)).Info;

    private async Task<RecommenderSnapshot> TrainAsync(bool onlyIfMissing, CancellationToken ct)
    {
        await _training.WaitAsync(ct);
        try
        {
            // Requests that arrive before the first model wait for one training, not one each.
            if (onlyIfMissing && _snapshot is { } existing)
            {
                return existing;
            }

            _firstStartedAt ??= clock.GetUtcNow();
            if (BeforeLoad is { } before)
            {
                await before();
            }

            Interlocked.Exchange(ref _staleSince, 0);
            long absorbed = recent.Sequence;
            long started = clock.GetTimestamp();
            var now = clock.GetUtcNow();
            var since = options.HistoryDays > 0 ? now.AddDays(-options.HistoryDays) : DateTimeOffset.UnixEpoch;
            var data = await RecommendationData.LoadAsync(database, options, since, ct);
            var snapshot = await Task.Run(() => RecommenderSnapshot.Build(data, options, now), ct);
            snapshot.Info = snapshot.Info with { Seconds = Math.Round(clock.GetElapsedTime(started).TotalSeconds, 3) };
            _snapshot = snapshot;
            recent.DropUpTo(absorbed);
            return snapshot;
        }
        catch
        {
            MarkStale();
            throw;
        }
        finally
        {
            _training.Release();
        }
    }

    /// <summary>The snapshot, training the first one if none exists yet (waiting as long as that takes).</summary>
    public async Task<RecommenderSnapshot> CurrentAsync(CancellationToken ct = default) =>
        (await CurrentAsync(Timeout.InfiniteTimeSpan, ct))!;

    /// <summary>
    /// The snapshot; when there is none yet, the first training is started (once, shared by every
    /// caller) and waited for at most <paramref name="wait"/>. Null when it is still running then.
    /// </summary>
    public async Task<RecommenderSnapshot?> CurrentAsync(TimeSpan wait, CancellationToken ct = default)
    {
        if (_snapshot is { } s)
        {
            return s;
        }

        Task<RecommenderSnapshot> first;
        lock (_firstLock)
        {
            // Not tied to one caller's token: a client that stops waiting must not cancel everyone's model.
            if (_first is null || _first.IsFaulted || _first.IsCanceled)
            {
                _first = TrainAsync(onlyIfMissing: true, CancellationToken.None);
            }

            first = _first;
        }

        try
        {
            return await first.WaitAsync(wait, clock, ct);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>When the first training started (for "retry" hints); null once a model exists.</summary>
    public DateTimeOffset? FirstTrainingStartedAt => _snapshot is null ? _firstStartedAt : null;

    /// <summary>Awaited before each training reads the store; tests hold it to keep a training running.</summary>
    internal Func<Task>? BeforeLoad { get; set; }

    /// <summary>A customer's list. <paramref name="item"/> is required for similar, fbt and upsell (null when unknown: the caller says 404).</summary>
    public IReadOnlyList<RecommendedItem> ForCustomer(
        RecommenderSnapshot s, long customer, RecommendationKind kind, string? item, SimilaritySignal signal, int k, IReadOnlySet<string> exclude)
    {
        var (affinityItems, affinity, bought) = History(s, customer);
        var gate = s.Rules.Gate(bought, Ids(s, exclude));
        return kind switch
        {
            RecommendationKind.Personal => Personal(s, affinityItems, affinity, k, gate),
            RecommendationKind.Popular => Named(s, s.Sar.Popular(k, gate)),
            _ => ForItem(s, kind, s.Items.TryGet(item ?? "", out var id) ? id : -1, signal, k, gate),
        };
    }

    /// <summary>Item-to-item lists for a product page: the product's own rules only (buyable, not excluded).</summary>
    public IReadOnlyList<RecommendedItem> ForProduct(RecommenderSnapshot s, int item, RecommendationKind kind, SimilaritySignal signal, int k, IReadOnlySet<string> exclude) =>
        ForItem(s, kind, item, signal, k, s.Rules.Gate(new HashSet<int>(), Ids(s, exclude)));

    /// <summary>Open cart first, then products viewed and not bought, newest first; only buyable, not excluded.</summary>
    public static IReadOnlyList<RecommendedItem> Resume(RecommenderSnapshot s, IReadOnlyList<string> cart, IReadOnlyList<string> viewed, int k, IReadOnlySet<string> exclude)
    {
        var result = new List<RecommendedItem>();
        foreach (var sku in cart.Concat(viewed).Distinct(StringComparer.Ordinal))
        {
            if (result.Count < k && !exclude.Contains(sku) && s.Items.TryGet(sku, out var id) && s.Rules.IsBuyable(id))
            {
                result.Add(new RecommendedItem(result.Count + 1, sku, s.Names[id], cart.Contains(sku) ? 1.0 : 0.5));
            }
        }

        return result;
    }

    private static IReadOnlyList<RecommendedItem> ForItem(RecommenderSnapshot s, RecommendationKind kind, int item, SimilaritySignal signal, int k, Func<int, bool> gate)
    {
        if (item < 0)
        {
            return [];
        }

        var table = signal switch { SimilaritySignal.Views => s.CoView, SimilaritySignal.Purchases => s.CoPurchase, _ => s.Sar.Similarity };
        return Named(s, kind switch
        {
            RecommendationKind.Similar => ItemSimilarity.TopNeighbours(table, item, k, gate),
            RecommendationKind.Fbt => s.Fbt.For(item, k, gate),
            RecommendationKind.Upsell => UpSell.For(item, k, s.Catalog, table, s.Sar.Popularity, gate),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), $"{kind} is not an item-to-item list."),
        });
    }

    /// <summary>SAR over the customer's history; topped up with popular items when it finds fewer than k (or there is no history).</summary>
    private static IReadOnlyList<RecommendedItem> Personal(RecommenderSnapshot s, int[] items, float[] affinity, int k, Func<int, bool> gate)
    {
        var personal = items.Length == 0 ? [] : s.Sar.Recommend(items, affinity, k, gate);
        if (personal.Length == k)
        {
            return Named(s, personal);
        }

        var taken = personal.Select(p => p.Item).ToHashSet();
        var fill = s.Sar.Popular(k, i => !taken.Contains(i) && gate(i)).Take(k - personal.Length);

        // Popular fill-ins rank after every personal pick whatever their raw popularity.
        float floor = personal.Length == 0 ? 0 : personal[^1].Score;
        return Named(s, [.. personal, .. fill.Select((p, n) => new ScoredItem(p.Item, floor * 0.999f / (n + 2)))]);
    }

    /// <summary>The customer's affinity (trained row plus recent signals) and what they bought.</summary>
    private (int[] Items, float[] Affinity, HashSet<int> Bought) History(RecommenderSnapshot s, long customer)
    {
        var weights = new Dictionary<int, float>();
        var bought = new HashSet<int>();
        if (s.Users.TryGet(customer, out var u))
        {
            var row = s.Sar.Affinity.Columns(u);
            var values = s.Sar.Affinity.Row(u);
            for (int n = 0; n < row.Length; n++)
            {
                weights[row[n]] = values[n];
            }

            foreach (int i in s.Bought.Columns(u))
            {
                bought.Add(i);
            }
        }

        foreach (var signal in recent.For(customer))
        {
            if (s.Items.TryGet(signal.Sku, out var i))
            {
                weights[i] = weights.GetValueOrDefault(i) + signal.Weight;
                if (signal.Bought)
                {
                    bought.Add(i);
                }
            }
        }

        return (weights.Keys.ToArray(), weights.Values.ToArray(), bought);
    }

    private static HashSet<int> Ids(RecommenderSnapshot s, IReadOnlySet<string> skus)
    {
        var ids = new HashSet<int>();
        foreach (var sku in skus)
        {
            if (s.Items.TryGet(sku, out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static RecommendedItem[] Named(RecommenderSnapshot s, ScoredItem[] scored) =>
        scored.Select((x, n) => new RecommendedItem(n + 1, s.Items[x.Item], s.Names[x.Item], Math.Round(x.Score, 6))).ToArray();
}
