using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Segments;

/// <summary>Steps the segment tests share: save a segment and wait for it, events relative to the fake clock.</summary>
internal static class SegmentSteps
{
    public static async Task<long> CreateAsync(this CoreHarness h, string name, string text)
    {
        var definition = SegmentDefinition.Parse(text).Definition ?? throw new ArgumentException(string.Join("; ", SegmentDefinition.Parse(text).Errors));
        var (id, job) = (await h.Segments.CreateAsync(name, definition))!.Value;
        await job.Completion;
        Assert.Equal("done", job.Status.State);
        return id;
    }

    public static async Task<IReadOnlyList<long>> MembersAsync(this CoreHarness h, long segment) =>
        (await h.SegmentStore.MembersAsync(segment, 1000, null)).Items.Select(m => m.CustomerId).ToList();

    /// <summary>The customer's membership events, oldest first, as (name, segment_name, reason).</summary>
    public static async Task<IReadOnlyList<(string Name, string Segment, string Reason)>> MembershipEventsAsync(this CoreHarness h, long customer)
    {
        var page = await h.Customers.TimelineAsync(customer, 200, null, null, "track", null);
        return page.Items
            .Where(i => i.Name is "Segment Entered" or "Segment Left")
            .Reverse()
            .Select(i => (i.Name!, (string)i.Properties!["segment_name"]!, (string)i.Properties!["reason"]!))
            .ToList();
    }

    public static Task SweepAsync(this CoreHarness h) => h.Writer.WriteAsync(unit => h.SegmentRuntime.SweepAsync(unit));

    public static IncomingEvent Track(this CoreHarness h, string id, double daysFromNow, string name, JsonObject? properties = null, string? user = null, string? anon = null) =>
        new(id, "track", name, Channels.Web, user, anon, h.Clock.GetUtcNow().AddDays(daysFromNow), properties ?? [], null, null);

    public static IncomingEvent Identify(this CoreHarness h, string id, JsonObject traits, string? user = null, string? anon = null) =>
        new(id, "identify", null, Channels.Web, user, anon, h.Clock.GetUtcNow(), traits, traits, null);

    public static JsonObject Lamp() => new() { ["product_id"] = "L1", ["name"] = "Arc lamp", ["category"] = "Lamps", ["price"] = 80 };

    public static JsonObject OrderOf(string orderId, string category) => new()
    {
        ["order_id"] = orderId,
        ["total"] = 80,
        ["products"] = new JsonArray(new JsonObject { ["product_id"] = category + "-1", ["category"] = category, ["price"] = 80, ["quantity"] = 1 }),
    };
}

/// <summary>
/// The value engine's tables, as its migrations 600-601 create them, created here when absent so
/// value and prediction fields can be tested on their own (CREATE TABLE IF NOT EXISTS: once
/// that migration has run, these statements do nothing).
/// </summary>
internal static class FactTables
{
    public static async Task EnsureAsync(IDatabase db)
    {
        await using var c = await db.OpenAsync();
        foreach (var ddl in new[]
                 {
                     """
                     CREATE TABLE IF NOT EXISTS customer_value (
                       customer_id BIGINT PRIMARY KEY, orders BIGINT NOT NULL, returns BIGINT NOT NULL, revenue_e4 BIGINT NOT NULL,
                       cost_e4 BIGINT NOT NULL, discount_e4 BIGINT NOT NULL, returns_e4 BIGINT NOT NULL, reward_cost_e4 BIGINT NOT NULL,
                       service_cost_e4 BIGINT NOT NULL, margin_e4 BIGINT NOT NULL, aov_e4 BIGINT NOT NULL, first_order_at BIGINT NULL,
                       last_order_at BIGINT NULL, rfm_r BIGINT NULL, rfm_f BIGINT NULL, rfm_m BIGINT NULL, tier TEXT NULL,
                       revenue_percentile DOUBLE PRECISION NULL, margin_percentile DOUBLE PRECISION NULL, updated_at BIGINT NOT NULL)
                     """,
                     """
                     CREATE TABLE IF NOT EXISTS value_population (
                       id BIGINT PRIMARY KEY, computed_at BIGINT NOT NULL, customers BIGINT NOT NULL, buyers BIGINT NOT NULL, summary TEXT NOT NULL)
                     """,
                     """
                     CREATE TABLE IF NOT EXISTS clv_models (
                       id BIGINT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, params TEXT NULL, log_likelihood DOUBLE PRECISION NULL,
                       customers BIGINT NOT NULL, calibration_end BIGINT NULL, horizon_weeks BIGINT NOT NULL, discount_rate DOUBLE PRECISION NOT NULL,
                       margin DOUBLE PRECISION NULL, fitted_at BIGINT NOT NULL, message TEXT NULL)
                     """,
                     """
                     CREATE TABLE IF NOT EXISTS customer_predictions (
                       customer_id BIGINT NOT NULL, model_id BIGINT NOT NULL, expected_purchases DOUBLE PRECISION NOT NULL,
                       p_alive DOUBLE PRECISION NOT NULL, expected_spend_e4 BIGINT NOT NULL, clv_e4 BIGINT NOT NULL,
                       clv_percentile DOUBLE PRECISION NOT NULL, PRIMARY KEY (customer_id, model_id))
                     """,
                 })
        {
            await c.ExecuteAsync(ddl);
        }
    }

    public static Task ModelAsync(UnitOfWork unit, long id, string status) =>
        unit.Connection.ExecuteAsync(
            """
            INSERT INTO clv_models (id, kind, status, customers, horizon_weeks, discount_rate, fitted_at)
            VALUES (@id, 'bgnbd', @status, 3, 52, 0.1, @now)
            """,
            new { id, status, now = unit.Now },
            unit.Transaction);

    public static Task PredictionAsync(UnitOfWork unit, long customer, long model, double pAlive, decimal clv, double clvPercentile) =>
        unit.Connection.ExecuteAsync(
            """
            INSERT INTO customer_predictions (customer_id, model_id, expected_purchases, p_alive, expected_spend_e4, clv_e4, clv_percentile)
            VALUES (@customer, @model, 1.5, @pAlive, 400000, @clv, @clvPercentile)
            """,
            new { customer, model, pAlive, clv = Money.ToStorage(clv), clvPercentile },
            unit.Transaction);

    public static Task ValueAsync(UnitOfWork unit, long customer, decimal revenue, long orders, string tier, double revenuePercentile) =>
        unit.Connection.ExecuteAsync(
            """
            INSERT INTO customer_value (customer_id, orders, returns, revenue_e4, cost_e4, discount_e4, returns_e4, reward_cost_e4,
                                        service_cost_e4, margin_e4, aov_e4, rfm_r, tier, revenue_percentile, updated_at)
            VALUES (@customer, @orders, 0, @revenue, 0, 0, 0, 0, 0, @revenue, @aov, 3, @tier, @revenuePercentile, 0)
            ON CONFLICT (customer_id) DO UPDATE SET orders = excluded.orders, revenue_e4 = excluded.revenue_e4, tier = excluded.tier,
              revenue_percentile = excluded.revenue_percentile
            """,
            new { customer, orders, revenue = Money.ToStorage(revenue), aov = Money.ToStorage(revenue / Math.Max(orders, 1)), tier, revenuePercentile },
            unit.Transaction);

    public static Task PopulationAsync(UnitOfWork unit, long id) =>
        unit.Connection.ExecuteAsync(
            "INSERT INTO value_population (id, computed_at, customers, buyers, summary) VALUES (@id, @now, 1, 1, '{}')",
            new { id, now = unit.Now },
            unit.Transaction);
}
