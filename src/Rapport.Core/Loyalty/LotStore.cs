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
