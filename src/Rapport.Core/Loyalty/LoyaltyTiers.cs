using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>
/// Tier state in loyalty_accounts, evaluated with <see cref="TierRules"/> after every earning
/// or return and by the nightly job (rolling windows and grace periods run out by the clock
/// alone). A change is a "Tier Changed" event on the customer's timeline.
/// </summary>
internal static class LoyaltyTiers
{
    public const string TierChanged = "Tier Changed";
    private static readonly TimeSpan Window = TimeSpan.FromDays(365);

    private const string PointsQualifying =
        "COALESCE(SUM(CASE WHEN kind = 'earn' THEN points ELSE -points END), 0) FROM loyalty_operations " +
        "WHERE customer_id = @customerId AND kind IN ('earn', 'reverse') AND at > @since";

    private const string SpendQualifying =
        "COALESCE(SUM(total_e4), 0) FROM orders WHERE customer_id = @customerId AND placed_at > @since AND status <> 'cancelled'";

    public static async Task<TierState?> StateAsync(UnitOfWork unit, long customerId)
    {
        var rows = await unit.Statement("SELECT tier, below_since FROM loyalty_accounts WHERE customer_id = @customerId", "@customerId").QueryAsync(customerId);
        return rows.Count == 0 ? null : new TierState((string)rows[0][0]!, UnixTime.FromStorage(rows[0][1] is { } b ? ToLong(b) : null));
    }

    private static long ToLong(object value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>
    /// As <see cref="QualifyingAsync(System.Data.Common.DbConnection, System.Data.Common.DbTransaction?, LoyaltyProgram, long, DateTimeOffset)"/>,
    /// through prepared statements (every earning evaluates the tier); the points basis from its
    /// running total (<see cref="LoyaltyTierTotals"/>). The spend basis reads the customer's orders of
    /// the last 12 months through ix_orders_customer (customer_id, placed_at): one row per order,
    /// not per loyalty operation, and no earning through the API adds one.
    /// </summary>
    private static async Task<decimal> QualifyingAsync(UnitOfWork unit, LoyaltyProgram program, long customerId, DateTimeOffset now)
    {
        var since = UnixTime.ToStorage(now - Window);
        if (program.TierBasis == LoyaltyProgram.PointsBasis)
        {
            // The running total (the writer's path): reads only what left the window since the last evaluation.
            return await LoyaltyTierTotals.QualifyingAsync(unit, customerId, since);
        }

        return Money.FromStorage(ToLong(await unit.Statement($"SELECT {SpendQualifying}", "@customerId", "@since").ScalarAsync(customerId, since) ?? 0L));
    }

    /// <summary>Rolling 12-month spend (sales less returns, cancelled orders excluded) or points earned less points reversed.</summary>
    public static async Task<decimal> QualifyingAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? t, LoyaltyProgram program, long customerId, DateTimeOffset now)
    {
        var since = UnixTime.ToStorage(now - Window);
        if (program.TierBasis == LoyaltyProgram.PointsBasis)
        {
            return await c.ExecuteScalarAsync<long>($"SELECT {PointsQualifying}", new { customerId, since }, t);
        }

        return Money.FromStorage(await c.ExecuteScalarAsync<long>($"SELECT {SpendQualifying}", new { customerId, since }, t));
    }

    public static async Task<TierDecision> EvaluateAsync(UnitOfWork unit, LoyaltyProgram program, long customerId)
    {
        var now = unit.Clock.GetUtcNow();
        var current = await StateAsync(unit, customerId);
        var qualifying = await QualifyingAsync(unit, program, customerId, now);
        var decision = TierRules.Evaluate(program, current, qualifying, now);
        if (current == decision.State && !decision.Changed)
        {
            return decision;
        }

        // Prepared: a customer's first earning always writes here (no account yet).
        await unit.Statement(
            """
            INSERT INTO loyalty_accounts (customer_id, tier, tier_since, below_since, updated_at) VALUES (@customerId, @tier, @now, @belowSince, @now)
            ON CONFLICT (customer_id) DO UPDATE SET
              tier = excluded.tier,
              tier_since = CASE WHEN loyalty_accounts.tier = excluded.tier THEN loyalty_accounts.tier_since ELSE excluded.tier_since END,
              below_since = excluded.below_since, updated_at = excluded.updated_at
            """,
            "@customerId", "@tier", "@now", "@belowSince")
            .ExecuteAsync(customerId, decision.State.Tier, unit.Now, decision.State.BelowSince is { } b ? UnixTime.ToStorage(b) : null);
        if (decision.Changed)
        {
            // "direction" lets journeys thank an upgrade without knowing the tier order (docs/journeys.md).
            var rank = program.Tiers.Select(t => t.Name).ToList();
            var direction = rank.IndexOf(decision.State.Tier) > rank.IndexOf(decision.Previous ?? "") ? "up" : "down";
            await AppendTierChangedAsync(unit, customerId, decision.Previous, decision.State.Tier, qualifying, program.TierBasis, direction);
        }

        return decision;
    }

    /// <summary>The timeline event; its message id is derived from the change, so it is stored once.</summary>
    private static Task AppendTierChangedAsync(UnitOfWork unit, long customerId, string? from, string to, decimal qualifying, string basis, string direction) =>
        TimelineEvents.AppendAsync(
            unit, customerId, TierChanged, $"loyalty-tier:{customerId}:{unit.Now}:{to}",
            new JsonObject { ["from"] = from, ["to"] = to, ["qualifying"] = qualifying, ["basis"] = basis, ["direction"] = direction });
}
