using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Value;

namespace Rapport.Core.Value;

/// <summary>
/// Recomputes customers' value rows from their orders, order lines, product costs and cost
/// ledger, inside the caller's transaction. Recomputing a customer's aggregate (one indexed
/// query per 500 customers) rather than adding deltas keeps the row right whatever order
/// events, refunds, cancellations, merges and imports arrive in, and makes a retry harmless.
/// Population-relative fields are scored against the last recomputed population.
/// </summary>
public static class CustomerValueUpdater
{
    /// <summary>Customers per aggregate query: well under both stores' parameter limits.</summary>
    public const int ChunkSize = 500;

    /// <summary>Cost kinds counted as rewards (what we gave the customer); every other kind is a cost of serving them.</summary>
    internal const string RewardKindsSql = "('reward', 'gift', 'surprise', 'donation')";

    /// <summary>Rewrites the value rows of these customers; customers with neither orders nor costs lose theirs.</summary>
    public static async Task RefreshAsync(
        UnitOfWork unit, IReadOnlyCollection<long> customers, ScoringPopulation? population, CancellationToken ct = default)
    {
        unit.CustomersChanged.UnionWith(customers); // cached value facts (next best action) are read again
        if (customers.Count == 1)
        {
            await RefreshOneAsync(unit, customers.First(), population);
            return;
        }

        foreach (var chunk in customers.Distinct().Chunk(ChunkSize))
        {
            var parameters = new DynamicParameters();
            var filter = SqlList.In("customer_id", chunk, parameters, "c");
            var figures = await ReadFiguresAsync(unit.Connection, unit.Transaction, filter, parameters, ct);
            var rows = new List<object?[]>(figures.Count);
            foreach (var (id, f) in figures)
            {
                var scores = f.Orders > 0 ? population?.Score(f) : null;
                rows.Add(Snapshot(id, f, scores, population?.Tiers ?? ValueTiers.Default, unit.Now).ToRow());
            }

            var deleteParameters = new DynamicParameters();
            await unit.Connection.ExecuteAsync(
                $"DELETE FROM customer_value WHERE {SqlList.In("customer_id", chunk, deleteParameters, "c")}", deleteParameters, unit.Transaction);
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customer_value", CustomerValueSnapshot.Columns, rows, ct);
        }
    }

    /// <summary>
    /// One customer (a redemption, a cost recorded through the API): the same three steps
    /// through statements compiled once per transaction, because on the request path the
    /// query's parse and plan and Dapper's setup cost more than running it.
    /// </summary>
    private static async Task RefreshOneAsync(UnitOfWork unit, long customerId, ScoringPopulation? population)
    {
        var rows = await unit.Statement(OneCustomerFiguresSql, "@c").QueryAsync(customerId);
        await unit.Statement("DELETE FROM customer_value WHERE customer_id = @c", "@c").ExecuteAsync(customerId);
        foreach (var row in rows)
        {
            var f = FiguresFrom(row);
            var scores = f.Orders > 0 ? population?.Score(f) : null;
            var values = Snapshot(customerId, f, scores, population?.Tiers ?? ValueTiers.Default, unit.Now).ToRow();
            await unit.Statement(InsertOneSql, InsertParameters).ExecuteAsync(values);
        }
    }

    /// <summary>
    /// A reward cost of <paramref name="amountE4"/> was just recorded for this customer (a
    /// redemption): the stored row plus that amount, re-scored, instead of re-reading every
    /// order and cost of the customer (which grew by one cost per redemption). The other
    /// figures are the row's: every writer of orders and costs refreshes the row in its own
    /// transaction, so they are what a full refresh would read, except cost of goods after a
    /// product's unit cost changed (valued at the last full refresh, as for every customer
    /// who did not redeem since). No row yet: the full refresh.
    /// </summary>
    public static async Task AddRewardCostAsync(UnitOfWork unit, long customerId, long amountE4, ScoringPopulation? population)
    {
        unit.CustomersChanged.Add(customerId); // cached value facts (next best action) are read again
        var rows = await unit.Statement(OneRowSql, "@c").QueryAsync(customerId);
        if (rows.Count == 0)
        {
            await RefreshOneAsync(unit, customerId, population);
            return;
        }

        var r = rows[0];
        var f = new CustomerValueFigures(
            Long(r[0]), Long(r[1]), Long(r[2]), Long(r[3]), Long(r[4]), Long(r[5]), Long(r[6]) + amountE4, Long(r[7]),
            r[8] is null or DBNull ? null : Long(r[8]),
            r[9] is null or DBNull ? null : Long(r[9]));
        var scores = f.Orders > 0 ? population?.Score(f) : null;
        var values = Snapshot(customerId, f, scores, population?.Tiers ?? ValueTiers.Default, unit.Now).ToRow();
        await unit.Statement("DELETE FROM customer_value WHERE customer_id = @c", "@c").ExecuteAsync(customerId);
        await unit.Statement(InsertOneSql, InsertParameters).ExecuteAsync(values);
    }

    private const string OneRowSql =
        "SELECT orders, returns, revenue_e4, cost_e4, discount_e4, returns_e4, reward_cost_e4, service_cost_e4, first_order_at, last_order_at " +
        "FROM customer_value WHERE customer_id = @c";

    private static readonly string OneCustomerFiguresSql = FiguresSql("customer_id = @c");

    private static readonly string[] InsertParameters = CustomerValueSnapshot.Columns.Select((_, i) => $"@v{i}").ToArray();

    private static readonly string InsertOneSql =
        $"INSERT INTO customer_value ({string.Join(", ", CustomerValueSnapshot.Columns)}) VALUES ({string.Join(", ", InsertParameters)})";

    private static CustomerValueFigures FiguresFrom(object?[] r) => new(
        Long(r[1]), Long(r[2]), Long(r[3]), Long(r[4]), Long(r[5]), Long(r[6]), Long(r[7]), Long(r[8]),
        r[9] is null or DBNull ? null : Long(r[9]),
        r[10] is null or DBNull ? null : Long(r[10]));

    private static long Long(object? v) => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A stored row from figures and (optionally) scores; no scores = NULL population fields.</summary>
    public static CustomerValueSnapshot Snapshot(long customerId, CustomerValueFigures f, CustomerScores? scores, ValueTiers tiers, long now) => new(
        customerId,
        f.Orders,
        f.Returns,
        f.RevenueE4,
        f.CostE4,
        f.DiscountE4,
        f.ReturnsE4,
        f.RewardCostE4,
        f.ServiceCostE4,
        f.MarginE4,
        f.AovE4,
        f.FirstOrderAt,
        f.LastOrderAt,
        scores?.R,
        scores?.F,
        scores?.M,
        scores is { } s ? tiers.Tiers[s.Tier].Name : null,
        scores is { } r ? StoredPercentile(r.RevenuePercentile) : null,
        scores is { } m ? StoredPercentile(m.MarginPercentile) : null,
        now);

    /// <summary>Percentiles are stored to 4 decimals (1/100 of a percent): precise enough to rank, stable enough that a recomputation rewrites only customers whose standing moved.</summary>
    public static double StoredPercentile(double p) => Math.Round(p, 4, MidpointRounding.AwayFromZero);

    private static string FiguresSql(string customerFilter) => $"""
            SELECT ids.customer_id,
                   COALESCE(s.orders, 0), COALESCE(s.returns, 0), COALESCE(s.revenue, 0), COALESCE(g.cost, 0),
                   COALESCE(s.discount, 0), COALESCE(s.returned, 0), COALESCE(k.reward, 0), COALESCE(k.service, 0),
                   s.first_at, s.last_at
            FROM (SELECT customer_id FROM orders WHERE {customerFilter}
                  UNION SELECT customer_id FROM customer_costs WHERE {customerFilter}) ids
            LEFT JOIN (
              SELECT customer_id,
                     CAST(SUM(CASE WHEN kind = 'sale' THEN 1 ELSE 0 END) AS BIGINT) AS orders,
                     CAST(SUM(CASE WHEN kind = 'return' THEN 1 ELSE 0 END) AS BIGINT) AS returns,
                     CAST(SUM(CASE WHEN kind = 'sale' THEN total_e4 + discount_e4 ELSE 0 END) AS BIGINT) AS revenue,
                     CAST(SUM(CASE WHEN kind = 'sale' THEN discount_e4 ELSE 0 END) AS BIGINT) AS discount,
                     CAST(SUM(CASE WHEN kind = 'return' THEN -total_e4 ELSE 0 END) AS BIGINT) AS returned,
                     MIN(CASE WHEN kind = 'sale' THEN placed_at END) AS first_at,
                     MAX(CASE WHEN kind = 'sale' THEN placed_at END) AS last_at
              FROM orders WHERE {customerFilter} AND status <> 'cancelled'
              GROUP BY customer_id) s ON s.customer_id = ids.customer_id
            LEFT JOIN (
              SELECT o.customer_id, CAST(ROUND(SUM(
                       CASE WHEN p.unit_cost_assumed = 1 AND p.price_e4 > 0
                            THEN l.quantity * l.unit_price_e4 * (CAST(p.unit_cost_e4 AS DOUBLE PRECISION) / p.price_e4)
                            ELSE l.quantity * COALESCE(p.unit_cost_e4, 0) END)) AS BIGINT) AS cost
              FROM orders o
              JOIN order_lines l ON l.order_id = o.order_id
              LEFT JOIN products p ON p.sku = l.sku
              WHERE o.{customerFilter} AND o.status <> 'cancelled'
              GROUP BY o.customer_id) g ON g.customer_id = ids.customer_id
            LEFT JOIN (
              SELECT customer_id,
                     CAST(SUM(CASE WHEN kind IN {RewardKindsSql} THEN amount_e4 ELSE 0 END) AS BIGINT) AS reward,
                     CAST(SUM(CASE WHEN kind IN {RewardKindsSql} THEN 0 ELSE amount_e4 END) AS BIGINT) AS service
              FROM customer_costs WHERE {customerFilter}
              GROUP BY customer_id) k ON k.customer_id = ids.customer_id
            WHERE ids.customer_id IS NOT NULL
            """;

    /// <summary>
    /// The additive figures of every customer matching <paramref name="customerFilter"/> (a
    /// condition on customer_id) that has orders or costs. Cancelled sales count for nothing.
    /// Cost of goods is quantity × the product's unit cost now (0 when the product has none),
    /// except where that cost is only assumed (a ratio of the price, docs/commerce.md): then the
    /// ratio applies to the price the line was sold at. Taken against today's list price, the
    /// Online Retail wholesalers, who paid about half the latest price, had costs above their
    /// revenue: the best customer by revenue came out bronze with a negative margin.
    /// </summary>
    public static async Task<List<(long CustomerId, CustomerValueFigures Figures)>> ReadFiguresAsync(
        DbConnection connection, DbTransaction? transaction, string customerFilter, DynamicParameters? parameters, CancellationToken ct = default)
    {
        var sql = FiguresSql(customerFilter);
        var result = new List<(long, CustomerValueFigures)>();
        await using var reader = await connection.ExecuteReaderAsync(
            new CommandDefinition(sql, parameters, transaction, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            result.Add((reader.GetInt64(0), new CustomerValueFigures(
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.GetInt64(7),
                reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetInt64(9),
                reader.IsDBNull(10) ? null : reader.GetInt64(10))));
        }

        return result;
    }

    /// <summary>
    /// After an import: the value rows of the customers it touched, 5,000 customers per
    /// transaction so the single writer is never held long, scored against the last recomputed
    /// population.
    /// </summary>
    public static async Task AfterImportAsync(StoreWriter writer, IReadOnlyCollection<long> customers, CancellationToken ct = default)
    {
        var cache = new ValuePopulationCache();
        foreach (var chunk in customers.Chunk(5_000))
        {
            await writer.WriteAsync(
                async unit =>
                {
                    await RefreshAsync(unit, chunk, await cache.GetAsync(unit.Connection, unit.Transaction, ct), ct);
                    return 0;
                },
                ct);
        }
    }
}
