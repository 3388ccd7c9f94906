using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>
/// Donations as orders arrive, in the ingest transaction: Order Completed gives each of the
/// customer's causes its percent of the cash paid (total less paid_with_points); Order Refunded
/// takes back the refunded share; Order Cancelled takes back the rest (docs/causes.md).
/// </summary>
public sealed class DonationProjection(LoyaltyProgramStore programs) : IEventProjection
{
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        LoyaltyProgram? program = null;
        foreach (var s in events)
        {
            var e = s.Event;
            if (e.Type != "track" || e.Name is not (EcommerceEvents.OrderCompleted or EcommerceEvents.OrderRefunded or EcommerceEvents.OrderCancelled))
            {
                continue;
            }

            var orderId = CommerceProperties.Text(e, "order_id");
            switch (e.Name)
            {
                case EcommerceEvents.OrderCompleted:
                    program ??= await programs.GetAsync(unit);
                    var total = OrderAmounts.Total(e);
                    await Donations.DonateForOrderAsync(unit, program, s.CustomerId, orderId ?? e.MessageId, total, total - OrderAmounts.PaidWithPoints(e, total));
                    break;
                case EcommerceEvents.OrderRefunded when orderId is not null:
                    await Donations.ReverseForOrderAsync(unit, orderId, OrderAmounts.Refunded(e), $"refund:{e.MessageId}");
                    break;
                case EcommerceEvents.OrderCancelled when orderId is not null:
                    await Donations.ReverseForOrderAsync(unit, orderId, null, $"cancel:{orderId}");
                    break;
            }
        }
    }

    /// <summary>Merges move donations with the loyalty rows (<see cref="LoyaltyProjection.RebuildAsync"/>).</summary>
    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => Task.CompletedTask;
}
