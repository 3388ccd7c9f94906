using System.Globalization;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>Loads a customer's lots into a <see cref="PointLedger"/> and writes back what an operation changed.</summary>
internal static class LotStore
{
    /// <summary>The customer's lots still holding (or owing) points, plus the lot of <paramref name="orderId"/> if any.</summary>
    public static async Task<PointLedger> LoadAsync(UnitOfWork unit, long customerId, string? orderId = null)
    {
        // Prepared and read by position: Dapper would regenerate its row reader whenever SQLite
        // reports a NULL where the first row had a value (expires_at, order_id), every request.
        var rows = await unit.Statement(
            $"""
            SELECT {LotRow.Columns} FROM loyalty_lots
            WHERE customer_id = @customerId AND (remaining <> 0 OR (kind = 'earn' AND order_id = @orderId))
            """,
            "@customerId",
            "@orderId").QueryAsync(customerId, orderId);
        return new PointLedger(rows.Select(LotRow.ToLot));
    }

    // The customer's open lots, answered by the partial index ix_loyalty_lots_open (migration
    // 1800) without touching closed history; the literal "remaining <> 0" is what lets both
    // stores prove the index applies.
    private const string Open = "customer_id = @customerId AND remaining <> 0";

    // Earn lots past their date that still hold points: what PointLedger.ExpireDue expires.
    private const string Due = "kind <> 'debt' AND remaining > 0 AND expires_at <= @now";

    // Lots read at first for a redemption: most are covered by the oldest one or two lots.
    private const int FirstSpendRows = 8;

    /// <summary>
    /// The lots an earning changes: those due to expire and outstanding debts (repaid first);
    /// the other lots only count in the balance, summed in SQL. The cost does not grow with
    /// the customer's history of lots.
    /// </summary>
    public static async Task<PointLedger> LoadToEarnAsync(UnitOfWork unit, long customerId, DateTimeOffset now)
    {
        var rows = await unit.Statement(
            $"SELECT {LotRow.Columns} FROM loyalty_lots WHERE {Open} AND (({Due}) OR (kind = 'debt' AND remaining < 0))",
            "@customerId",
            "@now").QueryAsync(customerId, UnixTime.ToStorage(now));
        return await LedgerAsync(unit, customerId, rows);
    }

    /// <summary>
    /// The lots spending <paramref name="points"/> changes: those due to expire, and the oldest
    /// (first in, first out) lots until they cover the points; the others only count in the balance.
    /// </summary>
    public static async Task<PointLedger> LoadToSpendAsync(UnitOfWork unit, long customerId, long points, DateTimeOffset now)
    {
        var at = UnixTime.ToStorage(now);
        var rows = await unit.Statement($"SELECT {LotRow.Columns} FROM loyalty_lots WHERE {Open} AND {Due}", "@customerId", "@now")
            .QueryAsync(customerId, at);
        var oldest = unit.Statement(
            $"""
            SELECT {LotRow.Columns} FROM loyalty_lots
            WHERE {Open} AND kind <> 'debt' AND remaining > 0 AND (expires_at IS NULL OR expires_at > @now)
            ORDER BY earned_at, id LIMIT @limit
            """,
            "@customerId",
            "@now",
            "@limit");
        var spendable = await oldest.QueryAsync(customerId, at, FirstSpendRows);
        if (spendable.Count == FirstSpendRows && Sum(spendable) < points)
        {
            spendable = await oldest.QueryAsync(customerId, at, int.MaxValue);
        }

        rows.AddRange(spendable);
        return await LedgerAsync(unit, customerId, rows);
    }

    /// <summary>The balance as PointLedger.ExpireDue would leave it at <paramref name="now"/>, summed in SQL.</summary>
    public static async Task<long> BalanceAsync(UnitOfWork unit, long customerId, DateTimeOffset now) =>
        LotRow.Long(await unit.Statement(
            $"SELECT COALESCE(SUM(CASE WHEN {Due} THEN 0 ELSE remaining END), 0) FROM loyalty_lots WHERE {Open}", "@now", "@customerId")
            .ScalarAsync(UnixTime.ToStorage(now), customerId) ?? 0L);

    private static async Task<PointLedger> LedgerAsync(UnitOfWork unit, long customerId, List<object?[]> rows)
    {
        var total = LotRow.Long(await unit.Statement($"SELECT COALESCE(SUM(remaining), 0) FROM loyalty_lots WHERE {Open}", "@customerId")
            .ScalarAsync(customerId) ?? 0L);
        var lots = new List<PointLot>(rows.Count);
        foreach (var row in rows)
        {
            lots.Add(LotRow.ToLot(row));
        }

        return new PointLedger(lots, total - Sum(rows));
    }

    private static long Sum(List<object?[]> rows)
    {
        var sum = 0L;
        foreach (var row in rows)
        {
            sum += LotRow.Long(row[3]); // remaining
        }

        return sum;
    }

    /// <summary>Writes new lots, changed lots and every entry; returns the real ids of new lots by their temporary ids.</summary>
    public static async Task<Dictionary<long, long>> SaveAsync(UnitOfWork unit, long customerId, long recordedFor, long? operationId, PointLedger ledger)
    {
        var ids = new Dictionary<long, long>();
        foreach (var lot in ledger.NewLots)
        {
            var inserted = await unit.Statement(
                """
                INSERT INTO loyalty_lots (customer_id, recorded_for, kind, points, remaining, expired, reversed, earned_at, expires_at, order_id)
                VALUES (@customerId, @recordedFor, @kind, @points, @remaining, @expired, @reversed, @earnedAt, @expiresAt, @orderId)
                RETURNING id
                """,
                "@customerId", "@recordedFor", "@kind", "@points", "@remaining", "@expired", "@reversed", "@earnedAt", "@expiresAt", "@orderId")
                .ScalarAsync(
                    customerId, recordedFor, lot.Kind, lot.Points, lot.Remaining, lot.Expired, lot.Reversed,
                    UnixTime.ToStorage(lot.EarnedAt), lot.ExpiresAt is { } e ? UnixTime.ToStorage(e) : null, lot.OrderId);
            ids[lot.Id] = LotRow.Long(inserted);
        }

        foreach (var lot in ledger.ChangedLots())
        {
            await unit.Statement("UPDATE loyalty_lots SET remaining = @remaining, expired = @expired, reversed = @reversed WHERE id = @id", "@remaining", "@expired", "@reversed", "@id")
                .ExecuteAsync(lot.Remaining, lot.Expired, lot.Reversed, lot.Id);
        }

        var insert = unit.Statement(
            """
            INSERT INTO loyalty_entries (customer_id, recorded_for, lot_id, operation_id, kind, points, at)
            VALUES (@customerId, @recordedFor, @lotId, @operationId, @kind, @points, @at)
            """,
            "@customerId", "@recordedFor", "@lotId", "@operationId", "@kind", "@points", "@at");
        foreach (var entry in ledger.Entries)
        {
            // Expiry found on the way is not part of the operation: it would have happened anyway.
            var operation = entry.Kind == LedgerEntry.Expired ? null : operationId;
            await insert.ExecuteAsync(
                customerId, recordedFor, ids.GetValueOrDefault(entry.LotId, entry.LotId), operation, entry.Kind, entry.Points, unit.Now);
        }

        return ids;
    }

    internal sealed class LotRow
    {
        public const string Columns =
            "id AS Id, kind AS Kind, points AS Points, remaining AS Remaining, expired AS Expired, reversed AS Reversed, " +
            "earned_at AS EarnedAt, expires_at AS ExpiresAt, order_id AS OrderId";

        public static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

        /// <summary>A row of <see cref="Columns"/> read by position.</summary>
        public static PointLot ToLot(object?[] r) => new(
            Long(r[0]), (string)r[1]!, Long(r[2]), Long(r[3]), Long(r[4]), Long(r[5]),
            UnixTime.FromStorage(Long(r[6])), r[7] is { } expires ? UnixTime.FromStorage(Long(expires)) : null, (string?)r[8]);

        public long Id { get; init; }

        public string Kind { get; init; } = "";

        public long Points { get; init; }

        public long Remaining { get; init; }

        public long Expired { get; init; }

        public long Reversed { get; init; }

        public long EarnedAt { get; init; }

        public long? ExpiresAt { get; init; }

        public string? OrderId { get; init; }

        public PointLot ToLot() =>
            new(Id, Kind, Points, Remaining, Expired, Reversed, UnixTime.FromStorage(EarnedAt), UnixTime.FromStorage(ExpiresAt), OrderId);
    }
}
