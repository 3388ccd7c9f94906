using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Value;

public sealed class ValueSchemaTests
{
    [Theory, BothStores]
    public async Task Ddl_FillFactorToken_PostgresLeavesRoomSqliteIgnoresIt(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);

        var ddl = db.Dialect.Ddl("CREATE TABLE t (x BIGINT) {fillfactor:50}");

        if (store == StoreKind.Postgres)
        {
            Assert.Equal("CREATE TABLE t (x BIGINT) WITH (fillfactor = 50)", ddl);
            await using var c = await db.OpenAsync();
            var options = await c.ExecuteScalarAsync<string>("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'customer_value'");
            Assert.Equal("fillfactor=50", options);
        }
        else
        {
            Assert.Equal("CREATE TABLE t (x BIGINT) ", ddl);
        }
    }

    [Theory, BothStores]
    public async Task Schema_ValueTables_AcceptTheDocumentedColumns(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var c = await db.OpenAsync();

        // The columns other features (segments) read, by name.
        await c.ExecuteAsync(
            """
            SELECT customer_id, orders, returns, revenue_e4, cost_e4, discount_e4, returns_e4, reward_cost_e4, service_cost_e4,
                   margin_e4, aov_e4, first_order_at, last_order_at, rfm_r, rfm_f, rfm_m, tier, revenue_percentile,
                   margin_percentile, updated_at FROM customer_value;
            SELECT id, kind, status, params, log_likelihood, customers, calibration_end, horizon_weeks, discount_rate, margin,
                   fitted_at, message FROM clv_models;
            SELECT customer_id, model_id, expected_purchases, p_alive, expected_spend_e4, clv_e4, clv_percentile FROM customer_predictions;
            SELECT id, customer_id, recorded_for, kind, amount_e4, at, reference, note, created_at FROM customer_costs;
            """);
    }
}
