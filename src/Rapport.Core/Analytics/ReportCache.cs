using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rapport.Core.Analytics;

/// <summary>What a page says about a cached report: when it was computed, and whether a recomputation runs behind it.</summary>
public interface ICachedReport
{
    DateTimeOffset ComputedAt { get; }

    DateTimeOffset? RefreshingSince { get; }

    DateTimeOffset? CheckedAt { get; }

    string? RefreshFailed { get; }
}

/// <summary>A report with when it was computed and how long that took.</summary>
public sealed record Cached<T>(T Report, DateTimeOffset ComputedAt, TimeSpan Took) : ICachedReport
{
    /// <summary>When a recomputation of this report started that has not finished yet (null: none runs); the figures are still the old ones.</summary>
    public DateTimeOffset? RefreshingSince { get; init; }

    /// <summary>When its sources were last found unchanged since <see cref="ComputedAt"/> (reports with a change marker), so it was not recomputed.</summary>
    public DateTimeOffset? CheckedAt { get; init; }

    /// <summary>Why the last background recomputation failed (the figures shown are the earlier ones), or null.</summary>
    public string? RefreshFailed { get; init; }
}

/// <summary>
/// How long a cached report is fresh (<see cref="MaxAge"/>; stale reports answer at once and refresh
/// in the background) and, for reports with a change marker, the longest it is kept while its
/// sources show no change (<see cref="UnchangedMaxAge"/>: it may also depend on the clock).
/// Rapport:Dashboard:ReportMaxAgeMinutes and ReportUnchangedMaxAgeMinutes.
/// </summary>
public sealed record ReportFreshness(TimeSpan MaxAge, TimeSpan UnchangedMaxAge)
{
    public static readonly ReportFreshness Default = new(ReportCache.MaxAge, TimeSpan.FromHours(6));
}

/// <summary>
/// Every analytics report (the overview snapshot, funnel, channels, predicted CLV, uplift,
/// journeys, alarms, needs, consent), cached per key (report + parameters): the first read
/// computes; once stale a read answers at once with the old report and starts one refresh in the
/// background (one per key, however many readers see it stale); one computation per key at a
/// time, and a refresh asked while one runs waits for it and then computes anew. A report read
/// with a change marker (a few cheap queries over its sources) is only recomputed when stale if
/// the marker moved, or when it is older than <see cref="ReportFreshness.UnchangedMaxAge"/>.
/// At most <see cref="MaxKeys"/> keys are kept (a period picked once by hand must not pin memory).
/// A caller that must not wait for a first computation (a dashboard page view: minutes at a
/// million customers right after a start) sets <see cref="WaitAtMost"/>; one that asks for a
/// refresh but must not wait for it (a page's "Recompute now" button) sets
/// <see cref="RefreshInBackground"/>. See ReportCache.Refresh.cs for the background part.
/// </summary>
public sealed partial class ReportCache(TimeProvider clock, ReportFreshness? freshness = null)
{
    public const int MaxKeys = 64;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private static readonly AsyncLocal<long?> Deadline = new();

    private static readonly AsyncLocal<bool> Background = new();

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private readonly ReportFreshness _freshness = freshness ?? ReportFreshness.Default;

    /// <summary>
    /// From here on in this async flow, first computations are waited for at most
    /// <paramref name="wait"/> in all (real time; several reports share it).
    /// </summary>
    public static void WaitAtMost(TimeSpan wait) => Deadline.Value = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// From here on in this async flow, a read with refresh = true starts the recomputation in the
    /// background and answers at once with the report held (its <see cref="Cached{T}.RefreshingSince"/>
    /// set); with none held yet it starts the first computation and throws <see cref="ReportNotReadyException"/>.
    /// </summary>
    public static void RefreshInBackground() => Background.Value = true;

    /// <summary>Whether a report is held under the key (computed at least once and not evicted).</summary>
    public bool Has(string key) => _entries.TryGetValue(key, out var entry) && Volatile.Read(ref entry.Latest) is not null;

    public Task<Cached<T>> GetAsync<T>(string key, Func<CancellationToken, Task<T>> compute, bool refresh = false, CancellationToken ct = default) =>
        GetAsync(key, compute, null, refresh, ct);

    /// <param name="changes">The report's change marker: equal markers mean its sources did not change (null: none, recompute whenever stale).</param>
    public async Task<Cached<T>> GetAsync<T>(
        string key, Func<CancellationToken, Task<T>> compute, Func<CancellationToken, Task<string>>? changes, bool refresh = false, CancellationToken ct = default)
    {
        if (_entries.Count > MaxKeys)
        {
            _entries.Clear();
        }

        var entry = _entries.GetOrAdd(key, _ => new Entry());
        var background = refresh && Background.Value;
        if ((!refresh || background) && Volatile.Read(ref entry.Latest) is Cached<T> cached)
        {
            if (background)
            {
                StartRefresh(entry, compute, changes, asked: true);
            }
            else if (clock.GetUtcNow() - (cached.CheckedAt ?? cached.ComputedAt) > _freshness.MaxAge)
            {
                StartRefresh(entry, compute, changes, asked: false);
            }

            return entry.Describe((Volatile.Read(ref entry.Latest) as Cached<T>) ?? cached);
        }

        if (background || (!refresh && Deadline.Value is not null))
        {
            var first = entry.Background(() => ComputeAsync(entry, compute, changes, false, CancellationToken.None));
            var left = background ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0, Deadline.Value!.Value - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (!first.IsCompleted && await Task.WhenAny(first, Task.Delay(left, ct)) != first)
            {
                throw new ReportNotReadyException(key);
            }

            return await first;
        }

        return await ComputeAsync(entry, compute, changes, refresh, ct);
    }

    private async Task<Cached<T>> ComputeAsync<T>(Entry entry, Func<CancellationToken, Task<T>> compute, Func<CancellationToken, Task<string>>? changes, bool refresh, CancellationToken ct)
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
            // The marker is read before the sources: a change landing during the computation moves it again, so the next check recomputes.
            var marker = changes is null ? null : await changes(ct);
            var report = await compute(ct);
            var fresh = new Cached<T>(report, clock.GetUtcNow(), watch.Elapsed);
            entry.Marker = marker;
            Volatile.Write(ref entry.Latest, fresh);
            return fresh;
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}

/// <summary>The report is being computed for the first time and the caller asked not to wait longer (<see cref="ReportCache.WaitAtMost"/>).</summary>
public sealed class ReportNotReadyException(string key) : Exception($"The report '{key}' is being computed; it will be ready shortly.")
{
    public string Key { get; } = key;
}
