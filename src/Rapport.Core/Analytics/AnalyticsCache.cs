namespace Rapport.Core.Analytics;

/// <summary>
/// The latest <see cref="AnalyticsSnapshot"/>, so pages and the API answer in milliseconds
/// whatever the store's size. The first read computes it; after <see cref="MaxAge"/> a read
/// still answers at once with the old figures and starts one refresh in the background.
/// Only one computation runs at a time.
/// </summary>
public sealed class AnalyticsCache(AnalyticsQueries queries, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _computing = new(1, 1);
    private AnalyticsSnapshot? _latest;

    public AnalyticsSnapshot? Latest => Volatile.Read(ref _latest);

    public async Task<AnalyticsSnapshot> GetAsync(CancellationToken ct = default)
    {
        if (Latest is { } snapshot)
        {
            if (clock.GetUtcNow() - snapshot.ComputedAt > MaxAge && _computing.CurrentCount > 0)
            {
                // Not tied to the request: a reader that leaves must not cancel everyone's refresh.
                _ = Task.Run(() => RefreshAsync(CancellationToken.None), CancellationToken.None);
            }

            return snapshot;
        }

        return await RefreshAsync(ct);
    }

    /// <summary>Computes now (waiting for a computation already running, then using its result if it is fresh).</summary>
    public async Task<AnalyticsSnapshot> RefreshAsync(CancellationToken ct = default)
    {
        var requested = clock.GetUtcNow();
        await _computing.WaitAsync(ct);
        try
        {
            if (Latest is { } done && done.ComputedAt >= requested)
            {
                return done;
            }

            var fresh = await queries.ComputeAsync(ct);
            Volatile.Write(ref _latest, fresh);
            return fresh;
        }
        finally
        {
            _computing.Release();
        }
    }
}
