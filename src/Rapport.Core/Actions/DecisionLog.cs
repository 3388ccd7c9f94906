using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Decisioning;
using Rapport.Engine.Identity;

namespace Rapport.Core.Actions;

/// <summary>A decision as logged.</summary>
public sealed record LoggedDecision(long Id, long ActionId, string Channel, string? Placement, string Reason, double Score, DateTimeOffset DecidedAt,
    string? Outcome, DateTimeOffset? OutcomeAt);

/// <summary>What recording an outcome did.</summary>
public enum OutcomeResult
{
    Recorded,
    NoSuchDecision,
    AlreadyRecorded,
}

/// <summary>
/// The one decision log across channels: every decision returned on any channel, its outcome,
/// and per action the counters the ranking reads (issued for budgets, accepted and ignored for
/// propensity). Per customer, rows are read through identifiers so they follow merges.
/// </summary>
public static class DecisionLog
{
    /// <summary>accepted/ignored: what the customer did with a shown action; converted: the goal was reached without an acceptance (what a control customer reports).</summary>
    public static readonly IReadOnlyList<string> Outcomes = ["accepted", "ignored", "converted"];

    private static long s_counterWrites;

    /// <summary>
    /// Counter changes written by this process (any store): an engine holding the counters in
    /// memory reads them again when someone else (an engine without its cache) moved them.
    /// </summary>
    public static long CounterWrites => Interlocked.Read(ref s_counterWrites);

    private const string Mine = "FROM decisions d JOIN identifiers i ON i.kind = d.id_kind AND i.value = d.id_value WHERE i.customer_id = @customer";

    /// <summary>Each action's counters (issued for budgets, accepted and ignored for propensity): one small table, read inside the write.</summary>
    public static async Task<Dictionary<long, (long Issued, long Accepted, long Ignored)>> CountersAsync(UnitOfWork unit) =>
        (await unit.Connection.QueryAsync<(long Action, long Issued, long Accepted, long Ignored)>(
            "SELECT action_id, issued, accepted, ignored FROM action_stats", transaction: unit.Transaction))
        .ToDictionary(s => s.Action, s => (s.Issued, s.Accepted, s.Ignored));

    /// <summary>Every decision of the customer (through their identifiers, so merges bring both histories together), control ones included.</summary>
    public static async Task<List<(long Action, DateTimeOffset At)>> CustomerDecisionsAsync(UnitOfWork unit, long customer) =>
        (await unit.Connection.QueryAsync<(long Action, long At)>($"SELECT d.action_id, d.decided_at {Mine}", new { customer }, unit.Transaction))
        .Select(r => (r.Action, UnixTime.FromStorage(r.At))).ToList();

    public static async Task<long> AppendAsync(
        UnitOfWork unit, long customer, Identifier id, RankedAction ranked, string channel, string? placement, string? productId, string reason, JsonObject data,
        bool control = false)
    {
        // Prepared once per writer session (UnitOfWork.Statement) and bound by position: each
        // warm decision runs these two statements, and Dapper's parse, plan and by-name binding
        // cost several times the insert itself (docs/performance.md "Session 7: next best action").
        var decisionId = Convert.ToInt64(await unit.Statement(
                """
                INSERT INTO decisions (action_id, customer_id, id_kind, id_value, channel, placement, purpose, product_id, propensity, expected_value, score, reason, data, decided_at, control)
                VALUES (@action, @customer, @kind, @value, @channel, @placement, @purpose, @product, @propensity, @expected, @score, @reason, @data, @now, @control)
                RETURNING id
                """,
                "@action", "@customer", "@kind", "@value", "@channel", "@placement", "@purpose", "@product", "@propensity", "@expected", "@score", "@reason", "@data", "@now", "@control")
            .ScalarAsync(
                ranked.Action.Id, customer, id.Kind, id.Value, channel, placement, ranked.Action.Purpose, productId,
                ranked.Propensity, ranked.ExpectedValue, ranked.Score, reason, data.ToJsonString(), unit.Now, control ? 1L : 0L), CultureInfo.InvariantCulture);
        if (!control)
        {
            await unit.Statement("UPDATE action_stats SET issued = issued + 1 WHERE action_id = @action", "@action").ExecuteAsync(ranked.Action.Id);
            Interlocked.Increment(ref s_counterWrites);
        }

        return decisionId;
    }

    public static async Task<OutcomeResult> RecordOutcomeAsync(UnitOfWork unit, long customer, long decisionId, string outcome)
    {
        var row = await unit.Connection.QuerySingleOrDefaultAsync<(long Action, string? Outcome, long Control)?>(
            $"SELECT d.action_id, d.outcome, d.control {Mine} AND d.id = @decisionId", new { customer, decisionId }, unit.Transaction);
        if (row is not { } r)
        {
            return OutcomeResult.NoSuchDecision;
        }

        if (r.Outcome is not null)
        {
            return OutcomeResult.AlreadyRecorded;
        }

        await unit.Connection.ExecuteAsync(
            "UPDATE decisions SET outcome = @outcome, outcome_at = @now WHERE id = @decisionId", new { outcome, now = unit.Now, decisionId }, unit.Transaction);
        if (r.Control == 0)
        {
            // Learning reads treated customers only: a control customer was shown nothing.
            var column = outcome == "ignored" ? "ignored" : "accepted";
            await unit.Connection.ExecuteAsync($"UPDATE action_stats SET {column} = {column} + 1 WHERE action_id = @action", new { action = r.Action }, unit.Transaction);
            Interlocked.Increment(ref s_counterWrites);
        }

        return OutcomeResult.Recorded;
    }

    /// <summary>
    /// Treated against control for one action: decisions logged and those that converted
    /// (accepted or converted). Null when the action does not exist.
    /// </summary>
    public static async Task<Uplift?> UpliftAsync(IDatabase database, long actionId, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long?>("SELECT id FROM actions WHERE id = @actionId", new { actionId }) is null)
        {
            return null;
        }

        var groups = (await c.QueryAsync<(long Control, long N, long Converted)>(
            """
            SELECT control, COUNT(*), COALESCE(SUM(CASE WHEN outcome IN ('accepted', 'converted') THEN 1 ELSE 0 END), 0)
            FROM decisions WHERE action_id = @actionId GROUP BY control
            """,
            new { actionId })).ToDictionary(g => g.Control);
        var t = groups.GetValueOrDefault(0);
        var k = groups.GetValueOrDefault(1);
        return Uplift.Compute(t.N, t.Converted, k.N, k.Converted);
    }

    public static async Task<List<LoggedDecision>> ForCustomerAsync(IDatabase database, long customer, int limit, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Id, long Action, string Channel, string? Placement, string Reason, double Score, long At, string? Outcome, long? OutcomeAt)>(
            $"SELECT d.id, d.action_id, d.channel, d.placement, d.reason, d.score, d.decided_at, d.outcome, d.outcome_at {Mine} ORDER BY d.id DESC LIMIT @limit",
            new { customer, limit });
        return rows.Select(r => new LoggedDecision(r.Id, r.Action, r.Channel, r.Placement, r.Reason, r.Score, UnixTime.FromStorage(r.At), r.Outcome, UnixTime.FromStorage(r.OutcomeAt))).ToList();
    }
}
