using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Value;

namespace Rapport.Core.Value;

/// <summary>What a recomputation did and found.</summary>
public sealed record ValueRecomputeSummary(
    long Id,
    long Customers,
    long Buyers,
    long Changed,
    double Top,
    double? RevenueShareOfTop,
    double? MarginShareOfTop,
    IReadOnlyList<TierCount> Tiers,
    bool Rebuilt,
    double ReadSeconds,
    double ComputeSeconds,
    double WriteSeconds,
    double TotalSeconds,
    DateTimeOffset ComputedAt);

/// <summary>
/// The bulk recomputation of the population-relative value fields (RFM, percentiles, tiers) and
/// the Pareto position, on demand and on a schedule. Reads the value rows into arrays, scores
/// them in memory (<see cref="PopulationScoring"/>), writes back the scores that changed with the
/// store's bulk update (<see cref="SqlDialect.BulkUpdateAsync"/>), and stores the population for
/// scoring newcomers. Only the write holds the single writer, so events keep flowing while it reads and
/// computes; rows changed meanwhile keep their incremental scores.
/// With <c>rebuild</c>, every customer's additive figures are first recomputed from the orders
/// (after a product cost change, or to repair), all in one write transaction.
/// </summary>
public sealed class ValueRecompute(StoreWriter writer, ValuePopulationCache population, ValueOptions options)
{
    private static readonly string[] ScoreColumns =
        ["rfm_r", "rfm_f", "rfm_m", "tier", "revenue_percentile", "margin_percentile", "updated_at"];

    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Recomputes unless one is already running in this process (then null, at once).</summary>
    public async Task<ValueRecomputeSummary?> TryRunAsync(bool rebuild, Action<string>? log = null, CancellationToken ct = default)
    {
        if (!await _running.WaitAsync(0, ct))
        {
            return null;
        }

        try
        {
            return await RecomputeAsync(rebuild, log, ct);
        }
        finally
        {
            _running.Release();
        }
    }

    public async Task<ValueRecomputeSummary> RunAsync(bool rebuild, Action<string>? log = null, CancellationToken ct = default)
    {
        await _running.WaitAsync(ct);
        try
        {
            return await RecomputeAsync(rebuild, log, ct);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<ValueRecomputeSummary> RecomputeAsync(bool rebuild, Action<string>? log, CancellationToken ct)
    {
        return rebuild ? await RebuildAsync(log, ct) : await ScoreAsync(log, ct);
    }

    private async Task<ValueRecomputeSummary> ScoreAsync(Action<string>? log, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var ids = new List<long>();
        var orders = new List<long>();
        var last = new List<long>();
        var net = new List<long>();
        var margin = new List<long>();
        var stored = new List<StoredScores>();
        var tierNames = new TextInterner();
        await using (var c = await writer.Database.OpenBulkReaderAsync(ct))
        using (var r = writer.Database.Dialect.OpenCursor(
            c,
            null,
            "SELECT customer_id, orders, last_order_at, revenue_e4 - discount_e4 - returns_e4, margin_e4, " +
            "rfm_r, rfm_f, rfm_m, tier, revenue_percentile, margin_percentile FROM customer_value"))
        {
            while (r.Read())
            {
                ct.ThrowIfCancellationRequested();
                ids.Add(r.GetInt64(0));
                orders.Add(r.GetInt64(1));
                last.Add(r.IsNull(2) ? 0 : r.GetInt64(2));
                net.Add(r.GetInt64(3));
                margin.Add(r.GetInt64(4));
                stored.Add(new StoredScores(
                    r.IsNull(5) ? null : r.GetInt64(5), r.IsNull(6) ? null : r.GetInt64(6), r.IsNull(7) ? null : r.GetInt64(7),
                    r.IsNull(8) ? null : tierNames.Get(r.GetUtf8(8)), r.IsNull(9) ? null : r.GetDouble(9), r.IsNull(10) ? null : r.GetDouble(10)));
            }
        }

        var read = total.Elapsed;
        log?.Invoke(Invariant($"value: read {ids.Count:N0} customers ({read.TotalSeconds:0.0} s)"));
        var scores = PopulationScoring.Score(Span(orders), Span(last), Span(net), Span(margin), options.Scoring);
        var computed = total.Elapsed - read;
        log?.Invoke(Invariant($"value: scored {scores.Buyers:N0} buyers ({computed.TotalSeconds:0.00} s)"));

        long changed = 0;
        var (id, at) = await writer.WriteAsync(
            async unit =>
            {
                unit.EveryCustomerChanged = true; // tiers and percentiles move for everyone: cached value facts (next best action) are read again
                changed = await WriteScoresAsync(unit, ids, stored, scores, options.Tiers.Tiers, log, ct);
                return (await SavePopulationAsync(unit, ids.Count, scores, ct), unit.Now);
            },
            ct);
        population.Set(id, new ScoringPopulation(scores.Distributions, options.Tiers));
        return Summarise(id, ids.Count, changed, scores, false, read, computed, total, at, log);
    }

    /// <summary>
    /// Every customer's scores with the store's bulk update (SQLite: one prepared UPDATE per row;
    /// PostgreSQL: COPY + one UPDATE … FROM), rewriting only rows whose scores moved. Percentiles
    /// are stored to 4 decimals, so a quiet day rewrites little and updated_at says when a
    /// customer's standing changed; a busy day moves most percentiles a little (1% of customers
    /// buying shifts about 97% of rows).
    /// </summary>
    private static async Task<long> WriteScoresAsync(
        UnitOfWork unit, List<long> ids, List<StoredScores> stored, PopulationScores s, IReadOnlyList<ValueTier> tiers, Action<string>? log, CancellationToken ct)
    {
        var step = Stopwatch.StartNew();
        var now = unit.Now;
        var rows = new List<object?[]>();
        for (var i = 0; i < ids.Count; i++)
        {
            var scores = s.R[i] == 0
                ? new StoredScores(null, null, null, null, null, null)
                : new StoredScores(
                    s.R[i], s.F[i], s.M[i], tiers[s.Tier[i]].Name,
                    CustomerValueUpdater.StoredPercentile(s.RevenuePercentile[i]), CustomerValueUpdater.StoredPercentile(s.MarginPercentile[i]));

            // Scores the same as read need no statement in the writer: at a million customers and
            // nothing moved, the million compare-only updates held the writer (and every needs
            // range waiting on it) for seconds. The update itself still compares, for rows an
            // event changed since they were read.
            if (stored[i] != scores)
            {
                rows.Add([ids[i], scores.R, scores.F, scores.M, scores.Tier, scores.RevenuePercentile, scores.MarginPercentile, now]);
            }
        }

        var changed = rows.Count == 0 ? 0 : await unit.Dialect.BulkUpdateAsync(
            unit.Connection, unit.Transaction, "customer_value", "customer_id", ScoreColumns, rows, ScoreColumns[..^1], ct);
        log?.Invoke(Invariant($"value: updated {changed:N0} value rows whose scores changed ({step.Elapsed.TotalSeconds:0.0} s)"));
        return changed;
    }

    /// <summary>A customer's population scores as stored (all null for a customer who never bought).</summary>
    private sealed record StoredScores(long? R, long? F, long? M, string? Tier, double? RevenuePercentile, double? MarginPercentile);

    private async Task<ValueRecomputeSummary> RebuildAsync(Action<string>? log, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        TimeSpan read = default, computed = default;
        PopulationScores? scores = null;
        var count = 0;
        var (id, at) = await writer.WriteAsync(
            async unit =>
            {
                unit.EveryCustomerChanged = true; // tiers and percentiles move for everyone: cached value facts (next best action) are read again
                var figures = await CustomerValueUpdater.ReadFiguresAsync(unit.Connection, unit.Transaction, "customer_id IS NOT NULL", null, ct);
                count = figures.Count;
                read = total.Elapsed;
                log?.Invoke(Invariant($"value: rebuilt the figures of {count:N0} customers from their orders ({read.TotalSeconds:0.0} s)"));
                var orders = new long[count];
                var last = new long[count];
                var net = new long[count];
                var margin = new long[count];
                for (int i = 0; i < count; i++)
                {
                    var f = figures[i].Figures;
                    (orders[i], last[i], net[i], margin[i]) = (f.Orders, f.LastOrderAt ?? 0, f.NetRevenueE4, f.MarginE4);
                }

                scores = PopulationScoring.Score(orders, last, net, margin, options.Scoring);
                computed = total.Elapsed - read;
                log?.Invoke(Invariant($"value: scored {scores.Buyers:N0} buyers ({computed.TotalSeconds:0.00} s)"));
                await unit.Connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM customer_value", transaction: unit.Transaction, commandTimeout: 600, cancellationToken: ct));
                var s = scores;
                var now = unit.Now;
                await unit.Dialect.BulkInsertAsync(
                    unit.Connection,
                    unit.Transaction,
                    "customer_value",
                    CustomerValueSnapshot.Columns,
                    figures.Select((x, i) => CustomerValueUpdater.Snapshot(
                        x.CustomerId,
                        x.Figures,
                        s.R[i] == 0 ? null : new CustomerScores(s.R[i], s.F[i], s.M[i], s.RevenuePercentile[i], s.MarginPercentile[i], s.Tier[i]),
                        options.Tiers,
                        now).ToRow()),
                    ct);
                return (await SavePopulationAsync(unit, count, s, ct), now);
            },
            ct);
        population.Set(id, new ScoringPopulation(scores!.Distributions, options.Tiers));
        return Summarise(id, count, count, scores, true, read, computed, total, at, log);
    }

    /// <summary>Stores the population (for scoring newcomers) and keeps the last 30 recomputations.</summary>
    private async Task<long> SavePopulationAsync(UnitOfWork unit, long customers, PopulationScores s, CancellationToken ct)
    {
        var d = s.Distributions;
        var summary = new ValuePopulationSummary(
            customers,
            s.Buyers,
            d.RfmBuckets,
            options.ParetoTop,
            s.Revenue.ShareOfTop,
            s.Margin.ShareOfTop,
            TierCounts(s),
            DistributionDto.From(d.LastOrderAt),
            DistributionDto.From(d.Orders),
            DistributionDto.From(d.NetRevenue),
            DistributionDto.From(d.Margin));
        var id = await unit.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO value_population (computed_at, customers, buyers, summary) VALUES (@now, @customers, @buyers, @json) RETURNING id",
            new { now = unit.Now, customers, buyers = (long)s.Buyers, json = JsonSerializer.Serialize(summary, ValuePopulationCache.Json) },
            unit.Transaction,
            cancellationToken: ct));
        await unit.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM value_population WHERE id <= @oldest", new { oldest = id - 30 }, unit.Transaction, cancellationToken: ct));
        return id;
    }

    private List<TierCount> TierCounts(PopulationScores s) =>
        options.Tiers.Tiers.Select((t, i) => new TierCount(t.Name, t.TopShare, s.TierCounts[i])).ToList();

    private ValueRecomputeSummary Summarise(
        long id, long customers, long changed, PopulationScores s, bool rebuilt, TimeSpan read, TimeSpan computed, Stopwatch total, long at, Action<string>? log)
    {
        var elapsed = total.Elapsed;
        var write = elapsed - read - computed;
        var summary = new ValueRecomputeSummary(
            id, customers, s.Buyers, changed, options.ParetoTop, s.Revenue.ShareOfTop, s.Margin.ShareOfTop, TierCounts(s), rebuilt,
            read.TotalSeconds, computed.TotalSeconds, write.TotalSeconds, elapsed.TotalSeconds, UnixTime.FromStorage(at));
        log?.Invoke(Invariant($"value: wrote the scores of {customers:N0} customers ({write.TotalSeconds:0.0} s)"));
        return summary;
    }

    private static ReadOnlySpan<long> Span(List<long> list) => CollectionsMarshal.AsSpan(list);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
