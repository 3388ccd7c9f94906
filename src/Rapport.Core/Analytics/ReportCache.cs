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
/// A caller that must not wait for a first computation (a dashboard page view: minutes at a
/// million customers right after a start) sets <see cref="WaitAtMost"/>: the computation then
/// runs in the background and the read throws <see cref="ReportNotReadyException"/> when the
/// time is up; the next read after it finishes gets the report.
/// </summary>
public sealed class ReportCache(TimeProvider clock)
{
    public const int MaxKeys = 64;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private static readonly AsyncLocal<long?> Deadline = new();

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// From here on in this async flow, first computations are waited for at most
    /// <paramref name="wait"/> in all (real time; several reports share it).
    /// </summary>
    public static void WaitAtMost(TimeSpan wait) => Deadline.Value = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);

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
                            await ComputeAsync(entry, compute, true, CancellationToken.None);
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

        if (!refresh && Deadline.Value is { } deadline)
        {
            var first = entry.Background(() => ComputeAsync(entry, compute, false, CancellationToken.None));
            var left = TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (!first.IsCompleted && await Task.WhenAny(first, Task.Delay(left, ct)) != first)
            {
                throw new ReportNotReadyException(key);
            }

            return await first;
        }

        return await ComputeAsync(entry, compute, refresh, ct);
    }

    private async Task<Cached<T>> ComputeAsync<T>(Entry entry, Func<CancellationToken, Task<T>> compute, bool refresh, CancellationToken ct)
    {
        // Computations run one at a time; one that started after this request (while it waited) is as fresh as asked,
        // and a plain read that found nothing takes whatever the computation it waited for produced (no second pass).
        var seen = Interlocked.Read(ref entry.Started);
        await entry.Gate.WaitAsync(ct);
        try
        {
            if ((!refresh || Interlocked.Read(ref entry.Started) > seen) && Volatile.Read(ref entry.Latest) is Cached<T> done)
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
        private readonly Lock _lock = new();
        private Task? _background;

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
    }
}

/// <summary>The report is being computed for the first time and the caller asked not to wait longer (<see cref="ReportCache.WaitAtMost"/>).</summary>
public sealed class ReportNotReadyException(string key) : Exception($"The report '{key}' is being computed; it will be ready shortly.")
{
    public string Key { get; } = key;
}
