using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rapport.Core.Analytics;

/// <summary>A report with when it was computed and how long that took.</summary>
public sealed record Cached<T>(T Report, DateTimeOffset ComputedAt, TimeSpan Took);

/// <summary>
/// Every analytics report (the overview snapshot, funnel, channels, predicted CLV, uplift,
/// journeys, alarms), cached per key (report + parameters): the first read computes; after
/// <see cref="MaxAge"/> a read answers at once with the old report and starts one refresh in the
/// background (one per key, however many readers see it stale); one computation per key at a
/// time, and a refresh asked while one runs waits for it and then computes anew. At most
/// <see cref="MaxKeys"/> keys are kept (a period picked once by hand must not pin memory for good).
/// </summary>
public sealed class ReportCache(TimeProvider clock)
{
    public const int MaxKeys = 64;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Whether a report is held under the key (computed at least once and not evicted).</summary>
    public bool Has(string key) => _entries.TryGetValue(key, out var entry) && Volatile.Read(ref entry.Latest) is not null;

    public async Task<Cached<T>> GetAsync<T>(string key, Func<CancellationToken, Task<T>> compute, bool refresh = false, CancellationToken ct = default)
    {
        if (_entries.Count > MaxKeys)
        {
            _entries.Clear();
        }

        var entry = _entries.GetOrAdd(key, _ => new Entry());
        if (!refresh && Volatile.Read(ref entry.Latest) is Cached<T> cached)
        {
            if (clock.GetUtcNow() - cached.ComputedAt > MaxAge && Interlocked.CompareExchange(ref entry.Refreshing, 1, 0) == 0)
            {
                // One background refresh at a time, not tied to the request: a reader that leaves must not cancel everyone's refresh.
                _ = Task.Run(
                    async () =>
                    {
                        try
                        {
                            await ComputeAsync(entry, compute, CancellationToken.None);
                        }
                        finally
                        {
                            Volatile.Write(ref entry.Refreshing, 0);
                        }
                    },
                    CancellationToken.None);
            }

            return cached;
        }

        return await ComputeAsync(entry, compute, ct);
    }

    private async Task<Cached<T>> ComputeAsync<T>(Entry entry, Func<CancellationToken, Task<T>> compute, CancellationToken ct)
    {
        // Computations run one at a time; one that started after this request (while it waited) is as fresh as asked.
        var seen = Interlocked.Read(ref entry.Started);
        await entry.Gate.WaitAsync(ct);
        try
        {
            if (Interlocked.Read(ref entry.Started) > seen && Volatile.Read(ref entry.Latest) is Cached<T> done)
            {
                return done;
            }

            Interlocked.Increment(ref entry.Started);
            var watch = Stopwatch.StartNew();
            var report = await compute(ct);
            var fresh = new Cached<T>(report, clock.GetUtcNow(), watch.Elapsed);
            Volatile.Write(ref entry.Latest, fresh);
            return fresh;
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
        public int Refreshing;
    }
}
