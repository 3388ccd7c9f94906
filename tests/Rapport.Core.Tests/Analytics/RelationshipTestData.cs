using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Analytics;

/// <summary>Rows written straight into the store for the analytics tests (events, actions, decisions, models).</summary>
public static class RelationshipTestData
{
    public static DateTimeOffset D(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private static long _message;

    /// <param name="origin">'customer' (collected) or 'rapport' (one of Rapport's own events, events.origin).</param>
    public static async Task EventAsync(IDatabase db, long customer, string name, DateTimeOffset at, string channel = "web", string type = "track", string origin = "customer")
    {
        await using var c = await db.OpenAsync();
        var n = Interlocked.Increment(ref _message);
        await c.ExecuteAsync(
            """
            INSERT INTO events (message_id, type, name, channel, customer_id, id_kind, id_value, occurred_at, received_at, properties, origin)
            VALUES (@m, @type, @name, @channel, @customer, 'user_id', @value, @at, @at, '{}', @origin)
            """,
            new { m = $"msg-{n}-{Guid.NewGuid():N}", type, name, channel, customer, value = $"u{customer}", at = UnixTime.ToStorage(at), origin });
    }

    public static async Task CustomerAsync(IDatabase db, long id, long? mergedInto = null)
    {
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("INSERT INTO customers (id, created_at, merged_into) VALUES (@id, 0, @mergedInto)", new { id, mergedInto });
    }

    public static async Task ActionAsync(IDatabase db, long id, string name, string kind)
    {
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(
            "INSERT INTO actions (id, name, kind, definition, created_at, updated_at) VALUES (@id, @name, @kind, '{}', 0, 0)", new { id, name, kind });
    }

    /// <summary><paramref name="count"/> decisions of one action on one side, all with the same outcome (null = none yet).</summary>
    public static async Task DecisionsAsync(IDatabase db, long action, bool control, string? outcome, int count)
    {
        await using var c = await db.OpenAsync();
        for (int i = 0; i < count; i++)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO decisions (action_id, customer_id, id_kind, id_value, channel, purpose, propensity, expected_value, score, reason, data, decided_at, outcome, outcome_at, control)
                VALUES (@action, 1, 'user_id', 'u1', 'web', 'offers', 0.1, 1, 0.1, 'test', '{}', 0, @outcome, NULL, @control)
                """,
                new { action, outcome, control = control ? 1L : 0L });
        }
    }

    public static async Task ModelAsync(IDatabase db, long id, DateTimeOffset calibrationEnd, IEnumerable<(long Customer, decimal Clv)> predictions)
    {
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(
            """
            INSERT INTO clv_models (id, kind, status, customers, calibration_end, horizon_weeks, discount_rate, fitted_at)
            VALUES (@id, 'bgnbd', 'fitted', 10, @end, 52, 0.1, @end)
            """,
            new { id, end = UnixTime.ToStorage(calibrationEnd) });
        foreach (var (customer, clv) in predictions)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO customer_predictions (customer_id, model_id, expected_purchases, p_alive, expected_spend_e4, clv_e4, clv_percentile)
                VALUES (@customer, @id, 1, 0.5, 0, @clv, 0.5)
                """,
                new { customer, id, clv = Money.ToStorage(clv) });
        }
    }
}
