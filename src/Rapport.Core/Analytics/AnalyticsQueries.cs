using System.Diagnostics;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Analytics;

namespace Rapport.Core.Analytics;

/// <summary>
/// Computes the analytics from the store: one streamed pass over the orders feeds revenue by
/// month, the retention cohorts and the repeat-purchase rate (pure parts in
/// Rapport.Engine/Analytics); tiers, active customers, the CLV distribution and the Pareto curve
/// come from customer_value and customer_predictions. At a million customers this takes seconds,
/// which is why pages read it through <see cref="RelationshipReports.SnapshotAsync"/> and never run it per request.
/// </summary>
public sealed class AnalyticsQueries(IDatabase database, ValueQueries value, TimeProvider clock)
{
    public const int ActiveDays = 90;
    public const int MonthsShown = 24;
    public const int CohortOffsets = 12;

    public async Task<AnalyticsSnapshot> ComputeAsync(CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var now = clock.GetUtcNow();
        var revenue = new PeriodSeries(CohortPeriod.Month);
        var cohorts = new RetentionCohortBuilder(CohortPeriod.Month);
        long orders = 0;
        long? latest = null;
        await using var c = await database.OpenAsync(ct);
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            // The kind compared in SQL: ten million orders at a million customers, and a string read per row was a string allocated per row.
            "SELECT customer_id, CASE WHEN kind = 'sale' THEN 1 ELSE 0 END, placed_at, total_e4 FROM orders", cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                var sale = reader.GetInt64(1) == 1;
                var at = reader.GetInt64(2);
                revenue.Add(at, reader.GetInt64(3), sale ? 1 : 0);
                if (!sale)
                {
                    continue;
                }

                orders++;
                latest = latest is { } l && l >= at ? l : at;
                if (!reader.IsDBNull(0))
                {
                    cohorts.Add(reader.GetInt64(0), at);
                }
            }
        }

        var table = cohorts.Build(Periods.ObservedThrough(UnixTime.ToStorage(now), latest), CohortOffsets);
        var customers = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM customers WHERE merged_into IS NULL", cancellationToken: ct));
        var active = latest is { } through
            ? await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM customer_value WHERE orders > 0 AND last_order_at > @since",
                new { since = through - (ActiveDays * 86_400_000L) },
                cancellationToken: ct))
            : 0;
        var overview = new OverviewFigures(
            customers,
            table.Buyers,
            orders,
            Money.FromStorage(revenue.Points(int.MaxValue).Sum(p => p.Amount)),
            active,
            ActiveDays,
            UnixTime.FromStorage(latest),
            revenue.Points(MonthsShown).Select(p => new RevenuePoint(p.Label, p.Start, Money.FromStorage(p.Amount), p.Count)).ToList(),
            await TiersAsync(c, ct));
        var clv = await ClvDistributionAsync(c, ct);
        var pareto = await value.ParetoAsync(0.2, 21, ct);
        return new AnalyticsSnapshot(now, watch.Elapsed, overview, CohortReport.From(table), clv, pareto, await TopCustomersAsync(c, ct));
    }

    /// <summary>How many customers the customers page lists before anyone searches.</summary>
    public const int TopCustomerCount = 10;

    /// <summary>
    /// The customers who brought the most net revenue: one scan of customer_value here, every
    /// ten minutes with the rest of the snapshot, rather than an index the bulk recomputation
    /// would have to keep up for a list of ten (or a sort of a million rows per page view).
    /// </summary>
    private async Task<IReadOnlyList<TopCustomer>> TopCustomersAsync(System.Data.Common.DbConnection c, CancellationToken ct)
    {
        var rows = (await c.QueryAsync<(long Id, string? Tier, long Orders, long Net, long? LastAt)>(new CommandDefinition(
            "SELECT v.customer_id, v.tier, v.orders, v.revenue_e4 - v.returns_e4 AS net, v.last_order_at " +
            "FROM customer_value v JOIN customers cu ON cu.id = v.customer_id " +
            $"WHERE cu.merged_into IS NULL AND v.orders > 0 ORDER BY net DESC, v.customer_id LIMIT {TopCustomerCount}",
            cancellationToken: ct))).ToList();
        var labels = await Rapport.Core.Customers.CustomerLabels.ReadAsync(c, database.Dialect, rows.Select(r => r.Id).ToArray(), ct);
        return rows.Select(r => new TopCustomer(
            r.Id, labels[r.Id].Name, labels[r.Id].Email, r.Tier, r.Orders, Money.FromStorage(r.Net), UnixTime.FromStorage(r.LastAt))).ToList();
    }

    /// <summary>Cohorts by week or month, computed now (the cache keeps the monthly table only).</summary>
    public async Task<CohortReport> CohortsAsync(CohortPeriod period, int offsets, CancellationToken ct = default)
    {
        var cohorts = new RetentionCohortBuilder(period);
        await using var c = await database.OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            "SELECT customer_id, placed_at FROM orders WHERE kind = 'sale' AND customer_id IS NOT NULL", cancellationToken: ct));
        long? latest = null;
        while (await reader.ReadAsync(ct))
        {
            var at = reader.GetInt64(1);
            cohorts.Add(reader.GetInt64(0), at);
            latest = latest is { } l && l >= at ? l : at;
        }

        return CohortReport.From(cohorts.Build(Periods.ObservedThrough(UnixTime.ToStorage(clock.GetUtcNow()), latest), offsets));
    }

    /// <summary>Buyers per tier, most valuable tier first (the order of the last recomputation's tiers).</summary>
    private static async Task<IReadOnlyList<TierSize>> TiersAsync(System.Data.Common.DbConnection c, CancellationToken ct)
    {
        var counts = await c.QueryAsync<(string Tier, long N)>(new CommandDefinition(
            "SELECT tier, COUNT(*) FROM customer_value WHERE tier IS NOT NULL GROUP BY tier", cancellationToken: ct));
        var json = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT summary FROM value_population ORDER BY id DESC LIMIT 1", cancellationToken: ct));
        var order = json is null ? [] : ValuePopulationCache.Parse(json).Tiers.Select(t => t.Name).ToList();
        return counts
            .OrderBy(t => order.IndexOf(t.Tier) is var i && i >= 0 ? i : int.MaxValue)
            .ThenBy(t => t.Tier, StringComparer.Ordinal)
            .Select(t => new TierSize(t.Tier, t.N))
            .ToList();
    }

    private static async Task<ClvDistributionReport> ClvDistributionAsync(System.Data.Common.DbConnection c, CancellationToken ct)
    {
        var model = await c.QuerySingleOrDefaultAsync<(long Id, long Horizon)?>(new CommandDefinition(
            "SELECT id, horizon_weeks FROM clv_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 1", cancellationToken: ct));
        if (model is not { } m)
        {
            return ClvDistributionReport.From(null, null, Histogram.Build([]));
        }

        var values = (await c.QueryAsync<long>(new CommandDefinition(
            "SELECT clv_e4 FROM customer_predictions WHERE model_id = @id", new { id = m.Id }, cancellationToken: ct))).ToArray();
        return ClvDistributionReport.From(m.Id, (int)m.Horizon, Histogram.Build(values));
    }
}
