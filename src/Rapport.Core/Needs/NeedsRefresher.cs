using Dapper;
using Rapport.Core.Segments;
using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

/// <summary>
/// Keeps needs current behind ingestion instead of inside it. The ingest transaction only marks
/// the batch's customers in needs_pending (<see cref="NeedsPending.MarkAsync"/>); this refresher recomputes
/// them shortly after, many batches at once, so a customer who sent twenty events in a minute is
/// recomputed once, not twenty times. Reading the history and computing happen on their own
/// connection beside ingestion (SQLite WAL and PostgreSQL both let readers run beside the
/// writer); only the rewrite of rows that moved takes the single writer. A customer marked again
/// while their needs were being computed keeps a newer seq, so the stale result is dropped and
/// they stay pending for the next pass: the stored needs always end up computed from every event.
/// </summary>
public sealed class NeedsRefresher(StoreWriter writer, NeedsPending marks, NeedsOptions options, NeedsModelCache models, SegmentRuntime segments, TimeProvider clock)
{
    private readonly SemaphoreSlim _draining = new(1, 1);

    /// <summary>Test seam: runs between computing and writing, to make the race with ingestion deterministic.</summary>
    internal Func<Task>? AfterCompute { get; set; }

    /// <summary>Waits until something was marked since the last wait.</summary>
    public Task WaitForWorkAsync(CancellationToken ct) => marks.WaitAsync(ct);

    /// <summary>Refreshes pending customers until none are left; returns how many were refreshed.</summary>
    public async Task<long> DrainAsync(CancellationToken ct = default)
    {
        await _draining.WaitAsync(ct);
        try
        {
            long total = 0;
            while (await PassAsync(ct) is { Read: > 0 } pass)
            {
                total += pass.Refreshed;
            }

            return total;
        }
        finally
        {
            _draining.Release();
        }
    }

    /// <summary>One chunk: read and compute outside the writer, then write what is still current.</summary>
    /// <returns>How many pending customers were read, and how many of them were refreshed (the rest were marked again meanwhile).</returns>
    private async Task<(int Read, int Refreshed)> PassAsync(CancellationToken ct)
    {
        Dictionary<long, long> pending;
        NeedsComputation computed;
        await using (var c = await writer.Database.OpenAsync(ct))
        {
            pending = (await c.QueryAsync<(long Customer, long Seq)>(new CommandDefinition(
                    $"SELECT customer_id, seq FROM needs_pending ORDER BY customer_id LIMIT {NeedsUpdater.ChunkSize}", cancellationToken: ct)))
                .ToDictionary(x => x.Customer, x => x.Seq);
            if (pending.Count == 0)
            {
                return (0, 0);
            }

            computed = await NeedsUpdater.ComputeAsync(
                c, null, writer.Database.Dialect, pending.Keys, options.Settings, await models.GetAsync(c, null, ct), UnixTime.ToStorage(clock.GetUtcNow()), ct);
        }

        if (AfterCompute is { } hook)
        {
            await hook();
        }

        var refreshed = await writer.WriteAsync(
            async unit =>
            {
                var p = new DynamicParameters();
                p.Add("customers", ValueList.Of(unit.Dialect, pending.Keys));
                var current = (await unit.Connection.QueryAsync<(long Customer, long Seq)>(new CommandDefinition(
                    $"SELECT customer_id, seq FROM needs_pending WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}",
                    p, unit.Transaction, cancellationToken: ct))).ToList();
                var unchanged = current.Where(x => pending.TryGetValue(x.Customer, out var seq) && seq == x.Seq).Select(x => x.Customer).ToHashSet();
                var changed = await NeedsUpdater.WriteAsync(unit, computed, unchanged, ct);
                if (changed.Count > 0)
                {
                    segments.FactsChanged(unit, changed);
                }

                var done = unchanged.ToList();
                foreach (var chunk in done.Chunk(NeedsUpdater.ChunkSize))
                {
                    var q = new DynamicParameters();
                    q.Add("done", ValueList.Of(unit.Dialect, chunk));
                    await unit.Connection.ExecuteAsync(new CommandDefinition(
                        $"DELETE FROM needs_pending WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@done")}", q, unit.Transaction, cancellationToken: ct));
                }

                return done.Count;
            },
            ct);

        // Customers marked again meanwhile stay pending; the next pass takes them with a fresh read.
        return (pending.Count, refreshed);
    }
}
