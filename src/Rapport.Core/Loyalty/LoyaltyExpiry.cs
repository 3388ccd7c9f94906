using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>What one nightly run did.</summary>
public sealed record ExpirySummary(long LotsExpired, long PointsExpired, int TiersEvaluated, int TiersChanged, double ExpirySeconds, double TierSeconds);

/// <summary>
/// The nightly job: expires every lot past its date with two set-based statements (an
/// INSERT … SELECT of the expiry entries and one UPDATE of the lots, both through the partial
/// index on expires_at of lots still holding points), run in batches of consecutive expires_at
/// ranges of about <see cref="BatchLots"/> lots, each its own transaction, then re-evaluates the tiers of members
/// above the base tier (rolling windows and grace periods run out by the clock alone). The
/// entries are inserted in customer order so the ledger's (customer_id, id) index grows page by
/// page instead of at random places (docs/performance.md).
/// </summary>
public sealed class LoyaltyExpiry(StoreWriter writer, LoyaltyProgramStore programs)
{
    /// <summary>Lots past their date, in one batch's range of expires_at (through the partial index ix_loyalty_lots_due).</summary>
    private const string Due = "expires_at > @from AND expires_at <= @upTo AND remaining > 0";

    /// <summary>
    /// Due lots expired per transaction. Short transactions let earnings, redemptions and
    /// ingestion run between batches instead of waiting for the whole night's expiry, and keep
    /// each transaction's dirty pages within the cache.
    /// </summary>
    public int BatchLots { get; init; } = 500_000;

    public async Task<ExpirySummary> RunAsync(CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long lots = 0, points = 0;
        long? now = null;
        var from = long.MinValue;
        while (true)
        {
            var batch = await writer.WriteAsync(unit => ExpireBatchAsync(unit, now ??= unit.Now, from, ct), ct);
            lots += batch.Lots;
            points += batch.Points;
            if (batch.UpTo >= now)
            {
                break;
            }

            from = batch.UpTo;
        }

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

    /// <summary>
    /// Expires the next <see cref="BatchLots"/> due lots (more when several share the last
    /// expires_at) after <paramref name="from"/>, in expires_at order; returns how far it got.
    /// </summary>
    private async Task<(long Lots, long Points, long UpTo)> ExpireBatchAsync(UnitOfWork unit, long now, long from, CancellationToken ct)
    {
        var upTo = await unit.Connection.ExecuteScalarAsync<long?>(
            new CommandDefinition(
                "SELECT expires_at FROM loyalty_lots WHERE expires_at > @from AND expires_at <= @now AND remaining > 0 ORDER BY expires_at LIMIT 1 OFFSET @skip",
                new { from, now, skip = BatchLots - 1 }, unit.Transaction, commandTimeout: 0, cancellationToken: ct)) ?? now;
        var range = new { from, upTo, now };

        // The batch's totals are read back from the entries it appended (the table's tail, in
        // id order) rather than by a separate pass over the due lots: that pass fetched every
        // due lot's row at random a third time and cost about a fifth of the batch.
        var lastEntry = await unit.Connection.ExecuteScalarAsync<long?>(
            new CommandDefinition("SELECT MAX(id) FROM loyalty_entries", transaction: unit.Transaction, cancellationToken: ct)) ?? 0;
        var inserted = await unit.Connection.ExecuteAsync(
            new CommandDefinition(
                $"""
                INSERT INTO loyalty_entries (customer_id, recorded_for, lot_id, operation_id, kind, points, at)
                SELECT customer_id, recorded_for, id, NULL, 'expire', -remaining, @now FROM loyalty_lots
                WHERE {Due} ORDER BY customer_id, id
                """,
                range, unit.Transaction, commandTimeout: 0, cancellationToken: ct));
        if (inserted == 0)
        {
            return (0, 0, upTo);
        }

        var points = await unit.Connection.ExecuteScalarAsync<long>(
            new CommandDefinition(
                "SELECT COALESCE(-SUM(points), 0) FROM loyalty_entries WHERE id > @lastEntry AND kind = 'expire' AND operation_id IS NULL AND at = @now",
                new { lastEntry, now }, unit.Transaction, commandTimeout: 0, cancellationToken: ct));
        await unit.Connection.ExecuteAsync(
            new CommandDefinition(
                $"UPDATE loyalty_lots SET expired = expired + remaining, remaining = 0 WHERE {Due}",
                range, unit.Transaction, commandTimeout: 0, cancellationToken: ct));
        return (inserted, points, upTo);
    }
}
