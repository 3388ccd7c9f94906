using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Value;

namespace Rapport.Core.Value;

/// <summary>GET /v1/analytics/pareto: the share of net revenue and margin from the top customers, and the curves.</summary>
public sealed record ParetoReply(long Customers, double Top, long TopCustomers, ParetoSide Revenue, ParetoSide Margin, IReadOnlyList<ParetoCurvePoint> Curve);

/// <summary>One measure's concentration: its total over buyers and the share of it the top brings (null when the total is not positive).</summary>
public sealed record ParetoSide(decimal Total, double? ShareOfTop);

/// <summary>The top CustomerShare of buyers bring RevenueShare of net revenue and MarginShare of margin.</summary>
public sealed record ParetoCurvePoint(double CustomerShare, double? RevenueShare, double? MarginShare);

/// <summary>Reads of value and predictions for the API, the profile and other features.</summary>
public sealed class ValueQueries(IDatabase database)
{
    private const string SnapshotSelect =
        "SELECT customer_id, orders, returns, revenue_e4, cost_e4, discount_e4, returns_e4, reward_cost_e4, service_cost_e4, " +
        "margin_e4, aov_e4, first_order_at, last_order_at, rfm_r, rfm_f, rfm_m, tier, revenue_percentile, margin_percentile, updated_at " +
        "FROM customer_value";

    /// <summary>A customer's value and current prediction; null when there is no such customer.</summary>
    public async Task<CustomerValueReply?> GetAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long?>("SELECT id FROM customers WHERE id = @customerId", new { customerId }) is null)
        {
            return null;
        }

        var value = await ReadValueAsync(c, null, customerId, ct);
        return new CustomerValueReply(customerId, value?.ToView(), await ReadPredictionAsync(c, null, customerId, ct));
    }

    public static async Task<CustomerValueSnapshot?> ReadValueAsync(DbConnection c, DbTransaction? tx, long customerId, CancellationToken ct = default)
    {
        await using var reader = await c.ExecuteReaderAsync(
            new CommandDefinition($"{SnapshotSelect} WHERE customer_id = @customerId", new { customerId }, tx, cancellationToken: ct));
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>
    /// Every customer's value row, streamed in customer order (for in-memory snapshots). About a
    /// second per million rows on either store.
    /// </summary>
    public async IAsyncEnumerable<CustomerValueSnapshot> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition($"{SnapshotSelect} ORDER BY customer_id", cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            yield return Read(reader);
        }
    }

    /// <summary>The customer's prediction from the latest fitted model, if it scored them.</summary>
    public static async Task<ClvPredictionView?> ReadPredictionAsync(DbConnection c, DbTransaction? tx, long customerId, CancellationToken ct = default)
    {
        var row = await c.QuerySingleOrDefaultAsync<PredictionRow>(new CommandDefinition(
            """
            SELECT m.id AS ModelId, m.kind AS Kind, m.fitted_at AS FittedAt, m.calibration_end AS CalibrationEnd, m.horizon_weeks AS HorizonWeeks,
                   p.expected_purchases AS ExpectedPurchases, p.p_alive AS PAlive, p.expected_spend_e4 AS ExpectedSpend,
                   p.clv_e4 AS Clv, p.clv_percentile AS ClvPercentile
            FROM customer_predictions p
            JOIN clv_models m ON m.id = p.model_id
            WHERE p.customer_id = @customerId
              AND p.model_id = (SELECT MAX(id) FROM clv_models WHERE status = 'fitted')
            """,
            new { customerId },
            tx,
            cancellationToken: ct));
        return row is null
            ? null
            : new ClvPredictionView(
                row.ModelId,
                row.Kind,
                UnixTime.FromStorage(row.FittedAt),
                DateOnly.FromDateTime(UnixTime.FromStorage(row.CalibrationEnd ?? 0).UtcDateTime),
                (int)row.HorizonWeeks,
                row.ExpectedPurchases,
                row.PAlive,
                Money.FromStorage(row.ExpectedSpend),
                Money.FromStorage(row.Clv),
                row.ClvPercentile);
    }

    /// <summary>
    /// Pareto position of the buyers as they stand now (read live from customer_value: about a
    /// second per million buyers).
    /// </summary>
    public async Task<ParetoReply> ParetoAsync(double top, int points, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var net = new List<long>();
        var margin = new List<long>();
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            "SELECT revenue_e4 - discount_e4 - returns_e4, margin_e4 FROM customer_value WHERE orders > 0", cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                net.Add(reader.GetInt64(0));
                margin.Add(reader.GetInt64(1));
            }
        }

        var revenue = Pareto.Analyse(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(net), top, points);
        var profit = Pareto.Analyse(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(margin), top, points);
        var curve = revenue.Curve.Zip(profit.Curve, (r, m) => new ParetoCurvePoint(r.CustomerShare, r.ValueShare, m.ValueShare)).ToList();
        return new ParetoReply(
            revenue.Customers,
            top,
            Pareto.TopCount(top, net.Count),
            new ParetoSide(Money.FromStorage(revenue.Total), revenue.ShareOfTop),
            new ParetoSide(Money.FromStorage(profit.Total), profit.ShareOfTop),
            curve);
    }

    /// <summary>CLV model versions, newest first.</summary>
    public async Task<IReadOnlyList<ClvModelInfo>> ModelsAsync(int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await ClvRefit.ReadModelsAsync(c, null, limit, null, ct);
    }

    private static CustomerValueSnapshot Read(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.GetInt64(2),
        r.GetInt64(3),
        r.GetInt64(4),
        r.GetInt64(5),
        r.GetInt64(6),
        r.GetInt64(7),
        r.GetInt64(8),
        r.GetInt64(9),
        r.GetInt64(10),
        r.IsDBNull(11) ? null : r.GetInt64(11),
        r.IsDBNull(12) ? null : r.GetInt64(12),
        r.IsDBNull(13) ? null : r.GetInt64(13),
        r.IsDBNull(14) ? null : r.GetInt64(14),
        r.IsDBNull(15) ? null : r.GetInt64(15),
        r.IsDBNull(16) ? null : r.GetString(16),
        r.IsDBNull(17) ? null : r.GetDouble(17),
        r.IsDBNull(18) ? null : r.GetDouble(18),
        r.GetInt64(19));

    private sealed class PredictionRow
    {
        public long ModelId { get; init; }

        public string Kind { get; init; } = "";

        public long FittedAt { get; init; }

        public long? CalibrationEnd { get; init; }

        public long HorizonWeeks { get; init; }

        public double ExpectedPurchases { get; init; }

        public double PAlive { get; init; }

        public long ExpectedSpend { get; init; }

        public long Clv { get; init; }

        public double ClvPercentile { get; init; }
    }
}
