using Rapport.Core.Storage;

namespace Rapport.Core.Segments;

/// <summary>Where a recomputation is; <see cref="State"/> is queued, running, done or failed.</summary>
public sealed record RecomputeStatus(
    long JobId, string State, string Phase, long Done, long Total, DateTimeOffset QueuedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, int? Customers, int? Entered, int? Left, string? Error);

/// <summary>One full recomputation of every segment's membership, run in the background with progress.</summary>
public sealed class RecomputeJob : IProgress<SegmentProgress>
{
    private readonly Lock _lock = new();
    private RecomputeStatus _status;

    internal RecomputeJob(long id, DateTimeOffset queuedAt)
    {
        _status = new RecomputeStatus(id, "queued", "queued", 0, 0, queuedAt, null, null, null, null, null, null);
    }

    public long Id => _status.JobId;

    /// <summary>Completes when the job has finished, successfully or not (see <see cref="Status"/>).</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    public RecomputeStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    void IProgress<SegmentProgress>.Report(SegmentProgress value) =>
        Update(s => s with { Phase = value.Phase, Done = value.Done, Total = value.Total });

    internal void Update(Func<RecomputeStatus, RecomputeStatus> change)
    {
        lock (_lock)
        {
            _status = change(_status);
        }
    }
}

/// <summary>
/// Runs recomputations one after another in the background. Asking while one is queued (not
/// yet started) joins it: it will see everything committed before it starts. A recomputation
/// holds the single writer while it runs, so ingestion waits (and is then group-committed).
/// </summary>
public sealed class SegmentJobs(StoreWriter writer, SegmentRuntime runtime, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private long _ids;
    private RecomputeJob? _queued;
    private RecomputeJob? _latest;

    /// <summary>The most recently requested job, if any.</summary>
    public RecomputeJob? Latest
    {
        get
        {
            lock (_lock)
            {
                return _latest;
            }
        }
    }

    public RecomputeJob Start()
    {
        lock (_lock)
        {
            if (_queued is { } waiting)
            {
                return waiting;
            }

            var job = new RecomputeJob(++_ids, clock.GetUtcNow());
            var previous = _latest?.Completion ?? Task.CompletedTask;
            _queued = job;
            _latest = job;
            job.Completion = Task.Run(async () =>
            {
                await previous;
                lock (_lock)
                {
                    if (_queued == job)
                    {
                        _queued = null;
                    }
                }

                await RunAsync(job);
            });
            return job;
        }
    }

    private async Task RunAsync(RecomputeJob job)
    {
        job.Update(s => s with { State = "running", Phase = "loading", StartedAt = clock.GetUtcNow() });
        try
        {
            // A fresh unit, nothing written yet: events can be counted on a second connection.
            var result = await writer.WriteAsync(unit => runtime.RecomputeAsync(unit, job, readers: writer.Database));
            job.Update(s => s with
            {
                State = "done", Phase = "done", FinishedAt = clock.GetUtcNow(), Customers = result.Customers, Entered = result.Entered, Left = result.Left,
            });
        }
        catch (Exception ex)
        {
            // The failure is the job's outcome, reported by GET /v1/segments/{id} and the CLI.
            job.Update(s => s with { State = "failed", FinishedAt = clock.GetUtcNow(), Error = $"{ex.GetType().Name}: {ex.Message}" });
        }
    }
}
