using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>What one nightly run did.</summary>
public sealed record ExpirySummary(long LotsExpired, long PointsExpired, int TiersEvaluated, int TiersChanged, double ExpirySeconds, double TierSeconds);

/// <summary>
/// The nightly job: expires every lot past its date with two set-based statements (an
/// INSERT … SELECT of the expiry entries and one UPDATE of the lots, both through the partial
/// index on expires_at of lots still holding points), then re-evaluates the tiers of members
/// above the base tier (rolling windows and grace periods run out by the clock alone). The
/// entries are inserted in customer order so the ledger's (customer_id, id) index grows page by
/// page instead of at random places (docs/performance.md).
/// </summary>
public sealed class LoyaltyExpiry(StoreWriter writer, LoyaltyProgramStore programs)
{
    public async Task<ExpirySummary> RunAsync(CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (lots, points) = await writer.WriteAsync(
            async unit =>
            {
                var now = unit.Now;
                var due = await unit.Connection.QuerySingleAsync<(long Lots, long Points)>(
                    "SELECT COUNT(*), COALESCE(SUM(remaining), 0) FROM loyalty_lots WHERE expires_at <= @now AND remaining > 0",
                    new { now }, unit.Transaction);
                if (due.Lots == 0)
                {
                    return due;
                }

                await unit.Connection.ExecuteAsync(
                    new CommandDefinition(
                        """
                        INSERT INTO loyalty_entries (customer_id, recorded_for, lot_id, operation_id, kind, points, at)
                        SELECT customer_id, recorded_for, id, NULL, 'expire', -remaining, @now FROM loyalty_lots
                        WHERE expires_at <= @now AND remaining > 0 ORDER BY customer_id, id
                        """,
                        new { now }, unit.Transaction, commandTimeout: 0, cancellationToken: ct));
                await unit.Connection.ExecuteAsync(
                    new CommandDefinition(
                        "UPDATE loyalty_lots SET expired = expired + remaining, remaining = 0 WHERE expires_at <= @now AND remaining > 0",
                        new { now }, unit.Transaction, commandTimeout: 0, cancellationToken: ct));
                return due;
            },
            ct);
        var expirySeconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;

        started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (evaluated, changed) = await writer.WriteAsync(
            async unit =>
            {
                var program = await programs.GetAsync(unit.Connection, unit.Transaction, ct);
                var members = (await unit.Connection.QueryAsync<long>(
                    "SELECT customer_id FROM loyalty_accounts WHERE tier <> @tier OR below_since IS NOT NULL",
                    new { tier = program.BaseTier.Name }, unit.Transaction)).ToList();
                var changes = 0;
                foreach (var member in members)
                {
                    if ((await LoyaltyTiers.EvaluateAsync(unit, program, member)).Changed)
                    {
                        changes++;
                    }
                }

                return (members.Count, changes);
            },
            ct);
        return new ExpirySummary(lots, points, evaluated, changed, expirySeconds, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
