using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>Loads a customer's lots into a <see cref="PointLedger"/> and writes back what an operation changed.</summary>
internal static class LotStore
{
    /// <summary>The customer's lots still holding (or owing) points, plus the lot of <paramref name="orderId"/> if any.</summary>
    public static async Task<PointLedger> LoadAsync(UnitOfWork unit, long customerId, string? orderId = null)
    {
        var rows = await unit.Connection.QueryAsync<LotRow>(
            $"""
            SELECT {LotRow.Columns} FROM loyalty_lots
            WHERE customer_id = @customerId AND (remaining <> 0 OR (kind = 'earn' AND order_id = @orderId))
            """,
            new { customerId, orderId },
            unit.Transaction);
        return new PointLedger(rows.Select(r => r.ToLot()));
    }

    /// <summary>Writes new lots, changed lots and every entry; returns the real ids of new lots by their temporary ids.</summary>
    public static async Task<Dictionary<long, long>> SaveAsync(UnitOfWork unit, long customerId, long recordedFor, long? operationId, PointLedger ledger)
    {
        var ids = new Dictionary<long, long>();
        foreach (var lot in ledger.NewLots)
        {
            ids[lot.Id] = await unit.Connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO loyalty_lots (customer_id, recorded_for, kind, points, remaining, expired, reversed, earned_at, expires_at, order_id)
                VALUES (@customerId, @recordedFor, @Kind, @Points, @Remaining, @Expired, @Reversed, @earnedAt, @expiresAt, @OrderId)
                RETURNING id
                """,
                new
                {
                    customerId, recordedFor, lot.Kind, lot.Points, lot.Remaining, lot.Expired, lot.Reversed, lot.OrderId,
                    earnedAt = UnixTime.ToStorage(lot.EarnedAt), expiresAt = lot.ExpiresAt is { } e ? UnixTime.ToStorage(e) : (long?)null,
                },
                unit.Transaction);
        }

        foreach (var lot in ledger.ChangedLots())
        {
            await unit.Connection.ExecuteAsync(
                "UPDATE loyalty_lots SET remaining = @Remaining, expired = @Expired, reversed = @Reversed WHERE id = @Id",
                new { lot.Remaining, lot.Expired, lot.Reversed, lot.Id },
                unit.Transaction);
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
