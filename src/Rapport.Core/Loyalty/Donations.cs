using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>One line of the donation ledger; Amount (and Points) are negative for a refund's reversal.</summary>
public sealed record Donation(long Id, long CauseId, string Cause, long CustomerId, string Source, long Points, decimal Amount, string? OrderId, string Reference, DateTimeOffset At);

public enum DonationStatus
{
    Done,
    Duplicate,
    NoCustomer,
    NoCause,
    Insufficient,
}

public sealed record DonationResult(DonationStatus Status, IReadOnlyList<Donation> Donations, long Balance, string? Problem = null);

/// <summary>
/// The donation ledger (cause_donations, append-only). Points are donated on request: one
/// 'donate' operation takes them from the oldest lots (the ledger invariant covers them like a
/// redemption) and each cause gets its share at the programme's point value. Orders donate each
/// chosen cause's percent of their cash value as they arrive (<see cref="DonationProjection"/>),
/// refunds and cancellations reverse the refunded share with negative rows.
/// </summary>
public sealed class Donations(StoreWriter writer, LoyaltyProgramStore programs)
{
    private const string Columns =
        "d.id AS Id, d.cause_id AS CauseId, c.name AS Cause, d.customer_id AS CustomerId, d.source AS Source, d.points AS Points, " +
        "d.amount_e4 AS AmountE4, d.order_id AS OrderId, d.reference AS Reference, d.at AS At";

    /// <summary>Gives <paramref name="points"/> to <paramref name="causeId"/>, or split over the customer's causes by their points shares.</summary>
    public Task<DonationResult> DonatePointsAsync(long customerId, long points, long? causeId, string? key, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                if (await Owners.FindAsync(unit, customerId) is not { } owner)
                {
                    return new DonationResult(DonationStatus.NoCustomer, [], 0);
                }

                if (await LoyaltyLedger.FindOperationAsync(unit, customerId, LedgerEntry.Donated, key) is { } existing)
                {
                    return new DonationResult(DonationStatus.Duplicate, await ForOperationAsync(unit, existing.Id), existing.BalanceAfter);
                }

                var program = await programs.GetAsync(unit.Connection, unit.Transaction, ct);
                if (causeId is { } only && await unit.Connection.ExecuteScalarAsync<long?>(
                        "SELECT id FROM causes WHERE id = @only AND active = 1", new { only }, unit.Transaction) is null)
                {
                    return new DonationResult(DonationStatus.NoCause, [], 0, $"There is no active cause {only}; list them at /v1/causes.");
                }

                var split = DonationRules.SplitPoints(points, await Causes.RulesChoicesAsync(unit, owner), program.PointValue, causeId);
                if (split.Count == 0)
                {
                    return new DonationResult(
                        DonationStatus.NoCause, [], 0,
                        $"Customer {customerId} has chosen no cause with a pointsShare; pass causeId, or choose causes with PUT /v1/customers/{customerId}/causes.");
                }

                var now = unit.Clock.GetUtcNow();
                var ledger = await LotStore.LoadToSpendAsync(unit, owner, points, now);
                ledger.ExpireDue(now);
                if (!ledger.Donate(points))
                {
                    await LotStore.SaveAsync(unit, owner, customerId, null, ledger); // the expiry found on the way stands
                    return new DonationResult(
                        DonationStatus.Insufficient, [], ledger.Balance,
                        $"Cannot donate {points} points: the balance is {ledger.Balance} points. Donate at most {Math.Max(0, ledger.Balance)}.");
                }

                var op = await LoyaltyLedger.InsertOperationAsync(
                    unit, owner, customerId, LedgerEntry.Donated, key, points, ledger.Balance, null, null, null, $"donated to {split.Count} cause(s)", now);
                await LotStore.SaveAsync(unit, owner, customerId, op.Id, ledger);
                foreach (var a in split)
                {
                    await InsertAsync(unit, a.CauseId, owner, customerId, "points", a.Points, a.Amount, null, null, op.Id, $"points:{op.Id}");
                }

                return new DonationResult(DonationStatus.Done, await ForOperationAsync(unit, op.Id), ledger.Balance);
            },
            ct);

    /// <summary>The customer's donations, newest first; null when there is no such customer.</summary>
    public Task<IReadOnlyList<Donation>?> ForCustomerAsync(long customerId, int limit, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit => await Owners.FindAsync(unit, customerId) is { } owner
                ? (IReadOnlyList<Donation>?)(await unit.Connection.QueryAsync<DonationRow>(
                        $"SELECT {Columns} FROM cause_donations d JOIN causes c ON c.id = d.cause_id WHERE d.customer_id = @owner ORDER BY d.id DESC LIMIT @limit",
                        new { owner, limit },
                        unit.Transaction))
                    .Select(r => r.ToView()).ToList()
                : null,
            ct);

    /// <summary>Order Completed: each chosen cause's percent of the cash paid, once per order and cause.</summary>
    internal static async Task DonateForOrderAsync(UnitOfWork unit, LoyaltyProgram program, long customerId, string orderId, decimal total, decimal cashPaid)
    {
        if (await Owners.FindAsync(unit, customerId) is not { } owner)
        {
            return;
        }

        foreach (var a in DonationRules.ForOrder(cashPaid, await Causes.RulesChoicesAsync(unit, owner), program.DonationPercentMax))
        {
            await InsertAsync(unit, a.CauseId, owner, customerId, "purchase", 0, a.Amount, orderId, total, null, $"order:{orderId}");
        }
    }

    /// <summary>Order Refunded (refunded amount) or Cancelled (null: everything still standing): negative rows per cause.</summary>
    internal static async Task ReverseForOrderAsync(UnitOfWork unit, string orderId, decimal? refunded, string reference)
    {
        var rows = await unit.Connection.QueryAsync<(long CauseId, long Owner, long RecordedFor, long Donated, long Standing, long? Total)>(
            """
            SELECT cause_id, MAX(customer_id), MAX(recorded_for), SUM(CASE WHEN amount_e4 > 0 THEN amount_e4 ELSE 0 END), SUM(amount_e4), MAX(order_total_e4)
            FROM cause_donations WHERE order_id = @orderId AND source = 'purchase' GROUP BY cause_id
            """,
            new { orderId },
            unit.Transaction);
        foreach (var r in rows)
        {
            var take = DonationRules.ToReverse(Money.FromStorage(r.Donated), Money.FromStorage(r.Standing), Money.FromStorage(r.Total ?? 0), refunded);
            if (take > 0)
            {
                await InsertAsync(unit, r.CauseId, r.Owner, r.RecordedFor, "purchase", 0, -take, orderId, null, null, reference);
            }
        }
    }

    private static Task InsertAsync(
        UnitOfWork unit, long causeId, long owner, long recordedFor, string source, long points, decimal amount, string? orderId, decimal? total, long? operationId, string reference) =>
        unit.Connection.ExecuteAsync(
            """
            INSERT INTO cause_donations (cause_id, customer_id, recorded_for, source, points, amount_e4, order_id, order_total_e4, operation_id, reference, at)
            VALUES (@causeId, @owner, @recordedFor, @source, @points, @amount, @orderId, @total, @operationId, @reference, @now)
            ON CONFLICT (recorded_for, cause_id, reference) DO NOTHING
            """,
            new
            {
                causeId, owner, recordedFor, source, points, amount = Money.ToStorage(amount), orderId,
                total = total is { } t ? Money.ToStorage(t) : (long?)null, operationId, reference, now = unit.Now,
            },
            unit.Transaction);

    private static async Task<IReadOnlyList<Donation>> ForOperationAsync(UnitOfWork unit, long operationId) =>
        (await unit.Connection.QueryAsync<DonationRow>(
            $"SELECT {Columns} FROM cause_donations d JOIN causes c ON c.id = d.cause_id WHERE d.operation_id = @operationId ORDER BY d.id",
            new { operationId },
            unit.Transaction))
        .Select(r => r.ToView()).ToList();

    private sealed class DonationRow
    {
        public long Id { get; init; }

        public long CauseId { get; init; }

        public string Cause { get; init; } = "";

        public long CustomerId { get; init; }

        public string Source { get; init; } = "";

        public long Points { get; init; }

        public long AmountE4 { get; init; }

        public string? OrderId { get; init; }

        public string Reference { get; init; } = "";

        public long At { get; init; }

        public Donation ToView() => new(Id, CauseId, Cause, CustomerId, Source, Points, Money.FromStorage(AmountE4), OrderId, Reference, UnixTime.FromStorage(At));
    }
}
