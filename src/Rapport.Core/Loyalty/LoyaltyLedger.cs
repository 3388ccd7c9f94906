using System.Globalization;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>
/// Earning, redemption and reversal of points through the <see cref="StoreWriter"/> (one
/// writer: two redemptions at the same moment run one after the other, and the second sees the
/// first's balance). Earnings and redemptions from the API are group-committed: concurrent
/// requests share one transaction, each in its own savepoint, and reply after the COMMIT. A reference (idempotency key, order id,
/// event message id) makes a retry return the first outcome. Redemptions are recorded as a
/// 'reward' cost (points × point value) against the customer's margin.
/// </summary>
public sealed class LoyaltyLedger(StoreWriter writer, LoyaltyProgramStore programs, ValuePopulationCache population)
{
    public const int MaxReferenceLength = 200;
    public const long MaxPoints = 1_000_000_000;

    public LoyaltyProgramStore Programs => programs;

    /// <summary>Awards points: <paramref name="points"/> as given, or the programme's points for <paramref name="eventName"/>.</summary>
    public Task<LoyaltyResult> EarnAsync(long customerId, long? points, string? eventName, string? reference, string? note, CancellationToken ct = default) =>
        writer.WriteGroupedAsync(
            async unit =>
            {
                if (await Owners.FindAsync(unit, customerId) is not { } owner)
                {
                    return LoyaltyResult.NoCustomer;
                }

                if (await FindOperationAsync(unit, customerId, "earn", reference) is { } existing)
                {
                    return new LoyaltyResult(LoyaltyStatus.Duplicate, existing, await BalanceAsync(unit, owner));
                }

                var program = await programs.GetAsync(unit);
                // The tier matters only for a configured event's points (its multiplier).
                var award = points ?? EarningRules.ForEvent(program, eventName ?? "", (await LoyaltyTiers.StateAsync(unit, owner))?.Tier);
                if (award <= 0)
                {
                    return new LoyaltyResult(
                        LoyaltyStatus.LimitExceeded, null, await BalanceAsync(unit, owner),
                        $"The programme gives no points for '{eventName}'; configured events: {string.Join(", ", program.Events.Keys)} (or pass points).");
                }

                var op = await EarnInUnitAsync(unit, program, owner, customerId, award, reference, null, null, unit.Clock.GetUtcNow(), note ?? eventName);
                return new LoyaltyResult(LoyaltyStatus.Done, op, op.BalanceAfter);
            },
            ct);

    /// <summary>Redeems points, or a catalogue reward's points when <paramref name="rewardId"/> is set.</summary>
    public Task<LoyaltyResult> RedeemAsync(long customerId, long? points, string? key, long? rewardId, string? note, CancellationToken ct = default) =>
        writer.WriteGroupedAsync(
            async unit =>
            {
                if (await Owners.FindAsync(unit, customerId) is not { } owner)
                {
                    return LoyaltyResult.NoCustomer;
                }

                if (await FindOperationAsync(unit, customerId, "redeem", key) is { } existing)
                {
                    return new LoyaltyResult(LoyaltyStatus.Duplicate, existing, await BalanceAsync(unit, owner));
                }

                var program = await programs.GetAsync(unit);
                var want = points ?? 0;
                if (rewardId is { } rid)
                {
                    var reward = await RewardsCatalogue.FindAsync(unit.Connection, unit.Transaction, rid);
                    if (reward is not { Active: true })
                    {
                        return new LoyaltyResult(LoyaltyStatus.NoReward, null, await BalanceAsync(unit, owner), $"There is no active reward {rid}; list them at /v1/loyalty/rewards.");
                    }

                    want = reward.Points;
                    note ??= reward.Name;
                }

                var now = unit.Clock.GetUtcNow();
                if (await LimitProblemAsync(unit, program.Redemption, owner, want, now) is { } limit)
                {
                    return new LoyaltyResult(LoyaltyStatus.LimitExceeded, null, await BalanceAsync(unit, owner), limit);
                }

                var ledger = await LotStore.LoadToSpendAsync(unit, owner, want, now);
                ledger.ExpireDue(now);
                if (!ledger.Redeem(want))
                {
                    await LotStore.SaveAsync(unit, owner, customerId, null, ledger); // the expiry found on the way stands
                    var lastExpiry = await LastExpiryAsync(unit, owner);
                    var expiredNote = lastExpiry is { } e ? $" Points expired on {e:yyyy-MM-dd}." : "";
                    return new LoyaltyResult(
                        LoyaltyStatus.Insufficient, null, ledger.Balance,
                        $"Cannot redeem {want} points: the balance is {ledger.Balance} points.{expiredNote} Redeem at most {Math.Max(0, ledger.Balance)}.",
                        lastExpiry);
                }

                var op = await InsertOperationAsync(unit, owner, customerId, "redeem", key, want, ledger.Balance, null, null, rewardId, note, now);
                await LotStore.SaveAsync(unit, owner, customerId, op.Id, ledger);
                await RecordRewardCostAsync(unit, owner, customerId, op, want * program.PointValue, ct);
                return new LoyaltyResult(LoyaltyStatus.Done, op, ledger.Balance);
            },
            ct);

    internal static async Task<LoyaltyOperation> EarnInUnitAsync(
        UnitOfWork unit, LoyaltyProgram program, long owner, long recordedFor, long points, string? reference, string? orderId, long? amountE4,
        DateTimeOffset at, string? note)
    {
        var now = unit.Clock.GetUtcNow();
        var ledger = await LotStore.LoadToEarnAsync(unit, owner, now);
        ledger.ExpireDue(now);
        ledger.Earn(points, at, at.AddDays(program.ExpiryDays), orderId);
        var op = await InsertOperationAsync(unit, owner, recordedFor, "earn", reference, points, ledger.Balance, amountE4, orderId, null, note, at);
        await LotStore.SaveAsync(unit, owner, recordedFor, op.Id, ledger);
        await LoyaltyTiers.EvaluateAsync(unit, program, owner);
        return op;
    }

    /// <summary>
    /// Takes back the points of the returned part of <paramref name="orderId"/>
    /// (<paramref name="refundedE4"/>, or all of it when null). Points already spent become a
    /// debt lot (docs/loyalty.md). Nothing when the order earned nothing or was reversed already.
    /// </summary>
    internal static async Task<LoyaltyOperation?> ReverseInUnitAsync(
        UnitOfWork unit, LoyaltyProgram program, string orderId, long? refundedE4, string reference)
    {
        // The order's earn lot (index on order_id) and the operation that earned it: the
        // projection files it as 'order:<id>' against the customer the lot was recorded for, so
        // the unique reference index finds it (going through the lot's entries would need an
        // index on loyalty_entries.lot_id, which every ledger entry and the nightly expiry would pay for).
        var earned = await unit.Connection.QuerySingleOrDefaultAsync<(long LotId, long Owner, long RecordedFor, long Points, long? AmountE4)?>(
            """
            SELECT l.id, l.customer_id, l.recorded_for, l.points, o.amount_e4 FROM loyalty_lots l
            JOIN loyalty_operations o ON o.recorded_for = l.recorded_for AND o.kind = 'earn' AND o.reference = @reference
            WHERE l.order_id = @orderId AND l.kind = 'earn'
            """,
            new { orderId, reference = LoyaltyProjection.OrderReference(orderId) },
            unit.Transaction);
        if (earned is not { } lot || await FindOperationAsync(unit, lot.RecordedFor, "reverse", reference) is not null)
        {
            return null;
        }

        var ledger = await LotStore.LoadAsync(unit, lot.Owner, orderId);
        var now = unit.Clock.GetUtcNow();
        ledger.ExpireDue(now);
        var total = Money.FromStorage(lot.AmountE4 ?? 0);
        var take = EarningRules.ToReverse(lot.Points, total, refundedE4 is { } r ? Money.FromStorage(r) : decimal.MaxValue, ledger.Reversible(lot.LotId));
        if (take == 0)
        {
            await LotStore.SaveAsync(unit, lot.Owner, lot.RecordedFor, null, ledger);
            return null;
        }

        var debt = ledger.Reverse(take, lot.LotId, now);
        var note = debt > 0 ? string.Create(CultureInfo.InvariantCulture, $"{debt} of these points were already spent: owed as a debt that the next earnings repay") : null;
        var op = await InsertOperationAsync(unit, lot.Owner, lot.RecordedFor, "reverse", reference, take, ledger.Balance, refundedE4, orderId, null, note, now);
        await LotStore.SaveAsync(unit, lot.Owner, lot.RecordedFor, op.Id, ledger);
        await LoyaltyTiers.EvaluateAsync(unit, program, lot.Owner);
        return op;
    }

    /// <summary>The operation a reference already recorded (a retried earning, an order tracked twice); a prepared statement: every earning asks.</summary>
    internal static async Task<LoyaltyOperation?> FindOperationAsync(UnitOfWork unit, long recordedFor, string kind, string? reference)
    {
        if (reference is null)
        {
            return null;
        }

        var rows = await unit.Statement(
            $"SELECT {OperationRow.Columns} FROM loyalty_operations WHERE recorded_for = @recordedFor AND kind = @kind AND reference = @reference",
            "@recordedFor", "@kind", "@reference").QueryAsync(recordedFor, kind, reference);
        return rows.Count == 0 ? null : OperationRow.From(rows[0]).ToView();
    }

    private static Task<long> BalanceAsync(UnitOfWork unit, long owner) => LotStore.BalanceAsync(unit, owner, unit.Clock.GetUtcNow());

    private static async Task<DateTimeOffset?> LastExpiryAsync(UnitOfWork unit, long owner) =>
        UnixTime.FromStorage(await unit.Connection.ExecuteScalarAsync<long?>(
            "SELECT MAX(expires_at) FROM loyalty_lots WHERE customer_id = @owner AND expired > 0", new { owner }, unit.Transaction));

    private static async Task<string?> LimitProblemAsync(UnitOfWork unit, RedemptionLimits limits, long owner, long points, DateTimeOffset now)
    {
        if (points < limits.Min || points > MaxPoints)
        {
            return $"Redeem at least {limits.Min} points at a time (asked for {points}).";
        }

        if (limits.Max > 0 && points > limits.Max)
        {
            return $"Redeem at most {limits.Max} points at a time (asked for {points}); split it over several redemptions.";
        }

        if (limits.PerDay > 0)
        {
            var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
            var today = await unit.Connection.ExecuteScalarAsync<long>(
                "SELECT COALESCE(SUM(points), 0) FROM loyalty_operations WHERE customer_id = @owner AND kind = 'redeem' AND at >= @from",
                new { owner, from = UnixTime.ToStorage(dayStart) },
                unit.Transaction);
            if (today + points > limits.PerDay)
            {
                return $"At most {limits.PerDay} points can be redeemed per day; {today} were redeemed today (UTC), so {Math.Max(0, limits.PerDay - today)} are left until {dayStart.AddDays(1):yyyy-MM-dd HH:mm} UTC.";
            }
        }

        return null;
    }

    internal static async Task<LoyaltyOperation> InsertOperationAsync(
        UnitOfWork unit, long owner, long recordedFor, string kind, string? reference, long points, long balance, long? amountE4, string? orderId,
        long? rewardId, string? note, DateTimeOffset at)
    {
        unit.CustomersChanged.Add(owner); // the reciprocity balance cached for next best action is read again
        var id = Convert.ToInt64(
            await unit.Statement(
                """
                INSERT INTO loyalty_operations (customer_id, recorded_for, kind, reference, points, balance_after, amount_e4, order_id, reward_id, note, at)
                VALUES (@owner, @recordedFor, @kind, @reference, @points, @balance, @amountE4, @orderId, @rewardId, @note, @at)
                RETURNING id
                """,
                "@owner", "@recordedFor", "@kind", "@reference", "@points", "@balance", "@amountE4", "@orderId", "@rewardId", "@note", "@at")
                .ScalarAsync(owner, recordedFor, kind, reference, points, balance, amountE4, orderId, rewardId, note, UnixTime.ToStorage(at)),
            CultureInfo.InvariantCulture);
        if (kind is "earn" or "reverse")
        {
            await LoyaltyTierTotals.AddAsync(unit, owner, kind == "earn" ? points : -points, UnixTime.ToStorage(at));
        }

        return new LoyaltyOperation(id, owner, kind, points, balance, reference, orderId, rewardId, note, at);
    }

    private async Task RecordRewardCostAsync(UnitOfWork unit, long owner, long recordedFor, LoyaltyOperation op, decimal value, CancellationToken ct)
    {
        await unit.Statement(
            """
            INSERT INTO customer_costs (customer_id, recorded_for, kind, amount_e4, at, reference, note, created_at)
            VALUES (@owner, @recordedFor, 'reward', @amount, @at, @reference, @note, @created)
            """,
            "@owner", "@recordedFor", "@amount", "@at", "@reference", "@note", "@created")
            .ExecuteAsync(owner, recordedFor, Money.ToStorage(value), unit.Now, RedemptionCostReference(op.Id), $"{op.Points} points redeemed", unit.Now);
        await CustomerValueUpdater.AddRewardCostAsync(unit, owner, Money.ToStorage(value), await population.GetAsync(unit, ct));
    }

    /// <summary>The customer_costs reference of a redemption, so the reciprocity ledger does not count it twice.</summary>
    internal static string RedemptionCostReference(long operationId) => $"loyalty-redeem:{operationId}";

    internal sealed class OperationRow
    {
        public const string Columns =
            "id AS Id, customer_id AS CustomerId, kind AS Kind, points AS Points, balance_after AS BalanceAfter, reference AS Reference, " +
            "order_id AS OrderId, reward_id AS RewardId, note AS Note, at AS At";

        public long Id { get; init; }

        public long CustomerId { get; init; }

        public string Kind { get; init; } = "";

        public long Points { get; init; }

        public long BalanceAfter { get; init; }

        public string? Reference { get; init; }

        public string? OrderId { get; init; }

        public long? RewardId { get; init; }

        public string? Note { get; init; }

        public long At { get; init; }

        /// <summary>A row read through a prepared statement, columns in <see cref="Columns"/> order.</summary>
        public static OperationRow From(object?[] r) => new()
        {
            Id = Convert.ToInt64(r[0], CultureInfo.InvariantCulture),
            CustomerId = Convert.ToInt64(r[1], CultureInfo.InvariantCulture),
            Kind = (string)r[2]!,
            Points = Convert.ToInt64(r[3], CultureInfo.InvariantCulture),
            BalanceAfter = Convert.ToInt64(r[4], CultureInfo.InvariantCulture),
            Reference = r[5] as string,
            OrderId = r[6] as string,
            RewardId = r[7] is { } reward ? Convert.ToInt64(reward, CultureInfo.InvariantCulture) : null,
            Note = r[8] as string,
            At = Convert.ToInt64(r[9], CultureInfo.InvariantCulture),
        };

        public LoyaltyOperation ToView() => new(Id, CustomerId, Kind, Points, BalanceAfter, Reference, OrderId, RewardId, Note, UnixTime.FromStorage(At));
    }
}
