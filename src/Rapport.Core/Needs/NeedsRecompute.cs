using System.Diagnostics;
using Dapper;
using Rapport.Core.Segments;
using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

/// <summary>Where a recomputation is: phase (queued, needs, clusters, done, failed), customers done of total.</summary>
public sealed record NeedsProgress(string Phase, long Done, long Total);

/// <summary>What a recomputation did; Changed = customers whose needs moved (only those are rewritten).</summary>
public sealed record NeedsRecomputeSummary(
    long Customers, long WithNeeds, long Changed, NeedsClusterSummary? Clusters, double NeedsSeconds, double ClusterSeconds, double TotalSeconds, DateTimeOffset ComputedAt)
{
    /// <summary>How NeedsSeconds divides: reading histories and computing needs, then writing the rows that moved.</summary>
    public double ReadComputeSeconds { get; init; }

    public double WriteSeconds { get; init; }

    /// <summary>Processor time of this process in the same two parts (on PostgreSQL the server's own work is not in it).</summary>
    public double ReadComputeCpuSeconds { get; init; }

    public double WriteCpuSeconds { get; init; }
}

/// <summary>
/// What to recompute: needs of every customer (always), then a cluster refit unless Refit is
/// false; K null = choose. SegmentsFollow: the caller recomputes every segment right after
/// (<see cref="Recompute.FullRecompute"/>), so live segments are not told of the changed needs
/// here (they would read them twice).
/// </summary>
public sealed record NeedsRecomputeRequest(bool Refit = true, int? K = null, int? Seed = null, bool SegmentsFollow = false);

/// <summary>
/// The bulk recomputation: every live customer's needs from their history, 5,000 customers (an
/// id range) per write transaction (each holds the single writer briefly, so ingestion interleaves, and
/// reading inside the writer means no event is missed between read and write), then a cluster
/// refit. One at a time per process; <see cref="Progress"/> says where the running one is.
/// </summary>
public sealed class NeedsRecompute(
    StoreWriter writer, NeedsOptions options, NeedsModelCache models, NeedsClusterFitter fitter, SegmentRuntime segments, TimeProvider clock)
{
    /// <summary>
    /// Live customers per write transaction, read as one id range (a range scan per table). Each
    /// transaction holds the single writer while it reads, computes and writes (a fraction of a
    /// second), so ingestion interleaves.
    /// </summary>
    public const int RangeSize = 5_000;

    private readonly SemaphoreSlim _running = new(1, 1);
    private NeedsProgress _progress = new("idle", 0, 0);

    public NeedsProgress Progress => Volatile.Read(ref _progress);

    /// <summary>Recomputes unless one is already running in this process (then null, at once).</summary>
    public async Task<NeedsRecomputeSummary?> TryRunAsync(NeedsRecomputeRequest request, Action<NeedsProgress>? log = null, CancellationToken ct = default)
    {
        if (!await _running.WaitAsync(0, ct))
        {
            return null;
        }

        try
        {
            return await RecomputeAsync(request, log, ct);
        }
        catch
        {
            Report(new NeedsProgress("failed", Progress.Done, Progress.Total), log);
            throw;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<NeedsRecomputeSummary> RecomputeAsync(NeedsRecomputeRequest request, Action<NeedsProgress>? log, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        List<long> ids;
        await using (var c = await writer.Database.OpenAsync(ct))
        {
            ids = (await c.QueryAsync<long>(new CommandDefinition(
                "SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id", cancellationToken: ct))).ToList();
        }

        Report(new NeedsProgress("needs", 0, ids.Count), log);
        long done = 0, rewritten = 0;

        // With a refit to follow, segments re-read everyone's needs once after it (the refit
        // tells them every customer's facts changed) instead of chunk by chunk as well: a first
        // recomputation changes every customer, and reading their needs twice cost a full
        // segment refresh. Until the refit commits (seconds), needs-based memberships lag.
        var deferSegments = request.Refit;
        var changedAll = deferSegments ? new List<long>() : null;
        var tellSegments = !request.SegmentsFollow;
        TimeSpan readCompute = default, write = default, readComputeCpu = default, writeCpu = default;
        // The bulk readers stay open from range to range (opening one and preparing its
        // statements for each of a million customers' 800 parts cost about a second).
        await using var readers = new BulkReaders(writer.Database);
        foreach (var chunk in ids.Chunk(RangeSize))
        {
            await writer.WriteAsync(
                async unit =>
                {
                    var (wall, cpu) = (Stopwatch.StartNew(), ProcessCpu());
                    var model = await models.GetAsync(unit.Connection, unit.Transaction, ct);
                    var computed = await ReadAndComputeAsync(readers, chunk, model, unit.Now, ct);
                    var (computedAt, computedCpu) = (wall.Elapsed, ProcessCpu());
                    var changed = await NeedsUpdater.WriteAsync(unit, computed, keep: null, ct);
                    (readCompute, readComputeCpu) = (readCompute + computedAt, readComputeCpu + (computedCpu - cpu));
                    (write, writeCpu) = (write + (wall.Elapsed - computedAt), writeCpu + (ProcessCpu() - computedCpu));
                    if (changedAll is not null)
                    {
                        changedAll.AddRange(changed);
                    }
                    else if (changed.Count > 0 && tellSegments)
                    {
                        segments.FactsChanged(unit, changed);
                    }

                    rewritten += changed.Count;
                    return 0;
                },
                ct);
            done += chunk.Length;
            Report(new NeedsProgress("needs", done, ids.Count), log);
        }

        var needsTime = total.Elapsed;
        NeedsClusterSummary? clusters = null;
        if (request.Refit)
        {
            Report(new NeedsProgress("clusters", 0, ids.Count), log);
            clusters = await fitter.FitAsync(request.K ?? options.Clusters, request.Seed ?? options.Seed, tellSegments, ct);
            if (clusters.Status != "fitted" && changedAll is { Count: > 0 } && tellSegments)
            {
                // No fit, so nothing told segments: the customers whose needs moved, now.
                await writer.WriteAsync(
                    unit =>
                    {
                        segments.FactsChanged(unit, changedAll);
                        return Task.FromResult(0);
                    },
                    ct);
            }
        }

        long withNeeds;
        await using (var c = await writer.Database.OpenAsync(ct))
        {
            withNeeds = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM customer_needs", cancellationToken: ct));
        }

        Report(new NeedsProgress("done", ids.Count, ids.Count), log);
        var elapsed = total.Elapsed;
        return new NeedsRecomputeSummary(
            ids.Count, withNeeds, rewritten, clusters, needsTime.TotalSeconds, (elapsed - needsTime).TotalSeconds, elapsed.TotalSeconds, clock.GetUtcNow())
        {
            ReadComputeSeconds = readCompute.TotalSeconds,
            WriteSeconds = write.TotalSeconds,
            ReadComputeCpuSeconds = readComputeCpu.TotalSeconds,
            WriteCpuSeconds = writeCpu.TotalSeconds,
        };
    }

    /// <summary>
    /// Reads and computes one range of customers as <see cref="Readers"/> consecutive sub-ranges at
    /// once, each on its own read connection, so reading (single-threaded per connection) uses
    /// every core. Runs while the caller holds the single writer, which has written nothing yet in
    /// its transaction: the readers see exactly what it would, and no write can come in between.
    /// </summary>
    private async Task<NeedsComputation> ReadAndComputeAsync(BulkReaders readers, long[] chunk, NeedsModel? model, long now, CancellationToken ct)
    {
        // Twice as many parts as readers, taken in turn: a reader that finishes early takes the
        // next part instead of idling until the slowest is done (the writer waits for all). Four
        // per reader measured no faster at a million customers (38.8 against 38.0 s): the shorter
        // tail was paid back in per-part queries.
        var parts = chunk.Chunk((chunk.Length + (PartsPerReader * Readers) - 1) / (PartsPerReader * Readers)).ToArray();
        var computed = new NeedsComputation[parts.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, parts.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Readers, CancellationToken = ct },
            async (i, token) =>
            {
                var c = await readers.TakeAsync(token);
                try
                {
                    computed[i] = await NeedsUpdater.ComputeRangeAsync(c, null, writer.Database.Dialect, parts[i], options.Settings, model, now, token);
                }
                finally
                {
                    readers.Return(c);
                }
            });
        return NeedsComputation.Concat(computed);
    }

    private const int PartsPerReader = 2;

    // One read connection per core, but no more than 8: a big server would otherwise open dozens
    // of connections (PostgreSQL counts them against max_connections) for little gain.
    private static int Readers => Math.Clamp(Environment.ProcessorCount, 2, 8);

    private static TimeSpan ProcessCpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }

    private void Report(NeedsProgress p, Action<NeedsProgress>? log)
    {
        Volatile.Write(ref _progress, p);
        log?.Invoke(p);
    }
}
