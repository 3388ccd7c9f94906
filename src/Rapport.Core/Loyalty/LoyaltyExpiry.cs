using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>What one nightly run did.</summary>
public sealed record ExpirySummary(long LotsExpired, long PointsExpired, int TiersEvaluated, int TiersChanged, double ExpirySeconds, double TierSeconds);

/// <summary>
/// The nightly job: expires every lot past its date with two set-based statements (an
/// INSERT … SELECT of the expiry entries and one UPDATE of the lots) per batch of consecutive lot
/// ids, each batch its own transaction, then re-evaluates the tiers of members above the base
/// tier (rolling windows and grace periods run out by the clock alone). Each batch reads its id
/// range of loyalty_lots in table order and picks the due lots on the way: no index on expires_at
/// is kept, because deleting each expired lot from such an index (and fetching due lots through it
/// at random) was most of the job's cost (docs/performance.md, "Session 6: loyalty"). The entries
/// are inserted in customer order so the ledger's (customer_id, id) index is written page by page.
/// </summary>
public sealed class LoyaltyExpiry(StoreWriter writer, LoyaltyProgramStore programs)
{
    /// <summary>Lots past their date in one batch's id range (read in table order: there is no index on expires_at).</summary>
    private const string Due = "id > @from AND id <= @upTo AND expires_at <= @now AND remaining > 0";

    /// <summary>
    /// Lots (due or not) examined per transaction: a range of consecutive lot ids. Short
    /// transactions let earnings, redemptions and ingestion run between batches instead of
    /// waiting for the whole night's expiry, and keep each transaction's dirty pages within the cache.
    /// </summary>
    public int BatchLots { get; init; } = 1_000_000;

    public async Task<ExpirySummary> RunAsync(CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long lots = 0, points = 0;
        long? now = null;
        var (first, last) = await writer.WriteAsync(
            async unit => await unit.Connection.QuerySingleAsync<(long? First, long? Last)>(
                new CommandDefinition("SELECT MIN(id), MAX(id) FROM loyalty_lots", transaction: unit.Transaction, cancellationToken: ct)),
            ct);

        // Lots earned after this read wait for the next night: balances and redemptions already
        // leave out lots past their date (PointLedger.ExpireDue), this job only records it.
        for (var from = (first ?? 0) - 1; from < (last ?? 0); from += BatchLots)
        {
            var upTo = from + BatchLots;
            var batch = await writer.WriteAsync(unit => ExpireBatchAsync(unit, now ??= unit.Now, from, upTo, ct), ct);
            lots += batch.Lots;
            points += batch.Points;
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

    /// <summary>Expires the due lots with ids in (<paramref name="from"/>, <paramref name="upTo"/>].</summary>
    private static async Task<(long Lots, long Points)> ExpireBatchAsync(UnitOfWork unit, long now, long from, long upTo, CancellationToken ct)
    {
        var range = new { from, upTo, now };

        // The batch's totals are read back from the entries it appended (the table's tail, in
        // id order) rather than by a separate pass over the due lots.
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
            return (0, 0);
        }

        var points = await unit.Connection.ExecuteScalarAsync<long>(
            new CommandDefinition(
                "SELECT COALESCE(-SUM(points), 0) FROM loyalty_entries WHERE id > @lastEntry AND kind = 'expire' AND operation_id IS NULL AND at = @now",
                new { lastEntry, now }, unit.Transaction, commandTimeout: 0, cancellationToken: ct));
        await unit.Connection.ExecuteAsync(
            new CommandDefinition(
                $"UPDATE loyalty_lots SET expired = expired + remaining, remaining = 0 WHERE {Due}",
                range, unit.Transaction, commandTimeout: 0, cancellationToken: ct));
        return (inserted, points);
    }
}
