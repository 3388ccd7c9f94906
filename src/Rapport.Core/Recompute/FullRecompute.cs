using System.Diagnostics;
using Rapport.Core.Needs;
using Rapport.Core.Segments;
using Rapport.Core.Value;

namespace Rapport.Core.Recompute;

/// <summary>Where a full recomputation is: phase (idle, value and needs, segments, done, failed), with the needs and segment steps' own progress.</summary>
public sealed record FullRecomputeProgress(string Phase, NeedsProgress Needs, RecomputeStatus? Segments);

/// <summary>
/// What a full recomputation did. Value or Needs is null when that step was already running on
/// its own (its result stands; <see cref="Message"/> says so); segments were recomputed after
/// both either way.
/// </summary>
public sealed record FullRecomputeSummary(
    ValueRecomputeSummary? Value, NeedsRecomputeSummary? Needs, RecomputeStatus Segments, double ValueAndNeedsSeconds, double SegmentSeconds, double TotalSeconds,
    string? Message);

/// <summary>
/// Value, needs and every segment's membership recomputed from the store in one go, as after a
/// bulk import or a change of settings: value and needs side by side (they read and write
/// different tables, and the single writer interleaves their transactions), then the segments,
/// which read both.
/// <para>
/// The needs step is told that segments follow, so its cluster refit does not re-read every
/// customer's needs into the live segments: the segment recomputation reads them once, seconds
/// later (at a million customers the re-read cost five of the recomputation's seconds). Until it
/// commits, memberships that depend on needs lag behind the new needs.
/// </para>
/// </summary>
public sealed class FullRecompute(ValueRecompute value, NeedsRecompute needs, SegmentJobs segments)
{
    private readonly SemaphoreSlim _running = new(1, 1);
    private string _phase = "idle";
    private RecomputeJob? _segmentJob;

    public FullRecomputeProgress Progress => new(Volatile.Read(ref _phase), needs.Progress, Volatile.Read(ref _segmentJob)?.Status);

    /// <summary>Recomputes unless a full recomputation is already running in this process (then null, at once).</summary>
    public async Task<FullRecomputeSummary?> TryRunAsync(Action<FullRecomputeProgress>? log = null, CancellationToken ct = default)
    {
        if (!await _running.WaitAsync(0, ct))
        {
            return null;
        }

        try
        {
            return await RunAsync(log, ct);
        }
        catch
        {
            Phase("failed", log);
            throw;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<FullRecomputeSummary> RunAsync(Action<FullRecomputeProgress>? log, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        Volatile.Write(ref _segmentJob, null);
        Phase("value and needs", log);
        var valueStep = Task.Run(() => value.TryRunAsync(rebuild: false, null, ct), ct);
        var needsStep = Task.Run(() => needs.TryRunAsync(new NeedsRecomputeRequest(SegmentsFollow: true), p => log?.Invoke(Progress with { Needs = p }), ct), ct);
        await Task.WhenAll(valueStep, needsStep);
        var (valueDone, needsDone) = (await valueStep, await needsStep);
        var firstPart = watch.Elapsed;

        Phase("segments", log);
        var job = segments.Start();
        Volatile.Write(ref _segmentJob, job);
        await job.Completion.WaitAsync(ct);
        if (job.Status is { State: "failed" } failed)
        {
            throw new InvalidOperationException($"The segment recomputation failed: {failed.Error}");
        }

        Phase("done", log);
        var busy = new[] { valueDone is null ? "value" : null, needsDone is null ? "needs" : null }.OfType<string>().ToList();
        return new FullRecomputeSummary(
            valueDone, needsDone, job.Status, firstPart.TotalSeconds, (watch.Elapsed - firstPart).TotalSeconds, watch.Elapsed.TotalSeconds,
            busy.Count == 0 ? null : $"A {string.Join(" and a ", busy)} recomputation was already running on its own; its result stands and the segments were recomputed after this one's.");
    }

    private void Phase(string phase, Action<FullRecomputeProgress>? log)
    {
        Volatile.Write(ref _phase, phase);
        log?.Invoke(Progress);
    }
}
