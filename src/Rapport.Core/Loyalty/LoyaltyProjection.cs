using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>
/// Earns and takes back points as events arrive, in the ingest transaction (registered after
/// OrderProjection): Order Completed earns by the programme's rules (the part paid with points,
/// property paid_with_points, earns nothing); Order Refunded takes back the refunded share;
/// Order Cancelled takes back the rest; events the programme lists ("Review Submitted") earn
/// their fixed points. References (order id, message id) make a repeated order count once.
/// Rapport's own events (<see cref="OwnEvents"/>: "Email Sent", "Tier Changed", a staff message)
/// never earn, even when a rule names them: points reward what the customer did.
/// </summary>
public sealed class LoyaltyProjection(LoyaltyProgramStore programs) : IEventProjection
{
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        LoyaltyProgram? program = null;
        foreach (var s in events)
        {
            var e = s.Event;
            if (s.Own || e.Type != "track" || e.Name is null)
            {
                continue;
            }

            if (e.Name is not (EcommerceEvents.OrderCompleted or EcommerceEvents.OrderRefunded or EcommerceEvents.OrderCancelled))
            {
                program ??= await programs.GetAsync(unit);
                if (program.Events.ContainsKey(e.Name))
                {
                    await EarnForEventAsync(unit, program, s);
                }

                continue;
            }

            program ??= await programs.GetAsync(unit);
            var orderId = CommerceProperties.Text(e, "order_id");
            switch (e.Name)
            {
                case EcommerceEvents.OrderCompleted:
                    await EarnForOrderAsync(unit, program, s, orderId ?? e.MessageId);
                    break;
                case EcommerceEvents.OrderRefunded when orderId is not null:
                    await LoyaltyLedger.ReverseInUnitAsync(unit, program, orderId, OrderAmounts.Refunded(e) is { } refunded ? Money.ToStorage(refunded) : null, $"refund:{e.MessageId}");
                    break;
                case EcommerceEvents.OrderCancelled when orderId is not null:
                    await LoyaltyLedger.ReverseInUnitAsync(unit, program, orderId, null, $"cancel:{orderId}");
                    break;
            }
        }
    }

    /// <summary>
    /// After merges or an undo: lots, entries and operations follow the customer they were
    /// recorded for to whoever carries that customer now, and the carriers' tiers are re-evaluated.
    /// </summary>
    public async Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        var touched = new HashSet<long>();
        foreach (var customer in customers)
        {
            if (await Owners.FindAsync(unit, customer) is not { } owner)
            {
                continue;
            }

            // Whoever holds the customer's operations now loses them: their running totals are counted again below.
            var holders = (await unit.Connection.QueryAsync<long>(
                "SELECT DISTINCT customer_id FROM loyalty_operations WHERE recorded_for = @customer AND customer_id <> @owner",
                new { owner, customer },
                unit.Transaction)).ToList();
            foreach (var table in new[] { "loyalty_lots", "loyalty_entries", "loyalty_operations", "cause_choices", "cause_donations", "surprise_gifts", "staff_tasks" })
            {
                var moved = await unit.Connection.ExecuteAsync(
                    $"UPDATE {table} SET customer_id = @owner WHERE recorded_for = @customer AND customer_id <> @owner",
                    new { owner, customer },
                    unit.Transaction);
                if (moved > 0)
                {
                    touched.Add(owner);
                }
            }

            if (holders.Count > 0)
            {
                await LoyaltyTierTotals.ResetAsync(unit, [owner, .. holders]);
            }
        }

        if (touched.Count > 0)
        {
            var program = await programs.GetAsync(unit.Connection, unit.Transaction);
            foreach (var owner in touched)
            {
                await LoyaltyTiers.EvaluateAsync(unit, program, owner);
            }
        }
    }

    /// <summary>The reference of an order's earn operation (the reversal of a return finds it by this).</summary>
    internal static string OrderReference(string orderId) => $"order:{orderId}";

    private static async Task EarnForOrderAsync(UnitOfWork unit, LoyaltyProgram program, StoredEvent s, string orderId)
    {
        var e = s.Event;
        var reference = OrderReference(orderId);
        if (await LoyaltyLedger.FindOperationAsync(unit, s.CustomerId, "earn", reference) is not null
            || await unit.Statement("SELECT id FROM loyalty_lots WHERE order_id = @orderId AND kind = 'earn'", "@orderId").ScalarAsync(orderId) is not null)
        {
            return; // the same order tracked twice, or imported and tracked
        }

        var lines = CommerceProperties.Products(e);
        var total = OrderAmounts.Total(e);
        var paidWithPoints = OrderAmounts.PaidWithPoints(e, total);
        var tier = (await LoyaltyTiers.StateAsync(unit, s.CustomerId))?.Tier;
        var order = new EarnOrder(total, paidWithPoints, e.Channel, lines.Select(l => new EarnLine((l.Price ?? 0) * l.Quantity, l.Category)).ToList());
        var points = EarningRules.ForOrder(program, order, tier);
        if (points > 0)
        {
            // amount_e4 is the order total: a refund takes back its share of the order's points.
            await LoyaltyLedger.EarnInUnitAsync(
                unit, program, s.CustomerId, s.CustomerId, points, reference, orderId, Money.ToStorage(total), e.OccurredAt, null);
        }
        else
        {
            await LoyaltyTiers.EvaluateAsync(unit, program, s.CustomerId); // spend still counts towards the tier
        }
    }

    private static async Task EarnForEventAsync(UnitOfWork unit, LoyaltyProgram program, StoredEvent s)
    {
        var tier = (await LoyaltyTiers.StateAsync(unit, s.CustomerId))?.Tier;
        var points = EarningRules.ForEvent(program, s.Event.Name!, tier);
        var reference = $"event:{s.Event.MessageId}";
        if (points > 0 && await LoyaltyLedger.FindOperationAsync(unit, s.CustomerId, "earn", reference) is null)
        {
            await LoyaltyLedger.EarnInUnitAsync(unit, program, s.CustomerId, s.CustomerId, points, reference, null, null, s.Event.OccurredAt, s.Event.Name);
        }
    }
}
