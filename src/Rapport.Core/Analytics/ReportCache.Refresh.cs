namespace Rapport.Core.Analytics;

/// <summary>The background side of <see cref="ReportCache"/>: refreshes nobody waits for, the change-marker check, and what readers are told about them.</summary>
public sealed partial class ReportCache
{
    /// <summary>
    /// Starts a recomputation nobody waits for. A stale read starts one unless one already runs
    /// (however many readers see it stale); an asked one (a "Recompute now" button) always queues,
    /// since it must see what changed up to the ask: ComputeAsync lets the asks that queued behind
    /// a running computation share one more. A stale report with a change marker is first checked:
    /// an unchanged marker only marks it checked (no pass over the store).
    /// </summary>
    private void StartRefresh<T>(Entry entry, Func<CancellationToken, Task<T>> compute, Func<CancellationToken, Task<string>>? changes, bool asked)
    {
        if (!entry.BeginRefresh(clock.GetUtcNow(), asked))
        {
            return;
        }

        // Not tied to the request: a reader that leaves must not cancel everyone's refresh.
        _ = Task.Run(
            async () =>
            {
                string? failed = null;
                try
                {
                    if (asked || changes is null || !await UnchangedAsync<T>(entry, changes))
                    {
                        await ComputeAsync(entry, compute, changes, true, CancellationToken.None);
                    }
                }
                catch (Exception e)
                {
                    failed = e.Message; // the earlier figures stay; pages say the refresh failed
                }
                finally
                {
                    entry.EndRefresh(failed);
                }
            },
            CancellationToken.None);
    }

    /// <summary>Whether the report's sources show no change since it was computed (then it is marked checked now), unless it is older than UnchangedMaxAge.</summary>
    private async Task<bool> UnchangedAsync<T>(Entry entry, Func<CancellationToken, Task<string>> changes)
    {
        await entry.Gate.WaitAsync(CancellationToken.None);
        try
        {
            if (Volatile.Read(ref entry.Latest) is not Cached<T> held || entry.Marker is not { } before
                || clock.GetUtcNow() - held.ComputedAt >= _freshness.UnchangedMaxAge
                || await changes(CancellationToken.None) != before)
            {
                return false;
            }

            Volatile.Write(ref entry.Latest, held with { CheckedAt = clock.GetUtcNow() });
            return true;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public object? Latest;
        public long Started;

        /// <summary>The change marker read as <see cref="Latest"/> was computed (written under <see cref="Gate"/>).</summary>
        public string? Marker;

        private readonly Lock _lock = new();
        private Task? _background;
        private int _refreshing;
        private DateTimeOffset? _since;
        private string? _failed;

        /// <summary>One background first computation per key, however many readers give up waiting for it (a failed one is started again).</summary>
        public Task<Cached<T>> Background<T>(Func<Task<Cached<T>>> compute)
        {
            lock (_lock)
            {
                if (_background is not Task<Cached<T>> running || running.IsFaulted || running.IsCanceled)
                {
                    running = Task.Run(compute, CancellationToken.None);
                    _background = running;
                }

                return running;
            }
        }

        public bool BeginRefresh(DateTimeOffset now, bool asked)
        {
            lock (_lock)
            {
                if (_refreshing > 0 && !asked)
                {
                    return false;
                }

                _refreshing++;
                _since ??= now;
                return true;
            }
        }

        public void EndRefresh(string? failed)
        {
            lock (_lock)
            {
                _refreshing--;
                if (_refreshing == 0)
                {
                    _since = null;
                }

                _failed = failed;
            }
        }

        /// <summary>The report as readers get it: with the refresh running behind it, or the last one's failure.</summary>
        public Cached<T> Describe<T>(Cached<T> report)
        {
            lock (_lock)
            {
                return _since is null && _failed is null ? report : report with { RefreshingSince = _since, RefreshFailed = _failed };
            }
        }
    }
}
