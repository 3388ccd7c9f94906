using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

/// <summary>
/// Keeps needs current as events arrive. The ingest transaction only marks every customer with
/// an interaction in the batch (<see cref="NeedsPending"/>); <see cref="NeedsRefresher"/> recomputes them from
/// their history moments later, outside the transaction (recomputing inside it doubled the
/// processor time per ingested event), and live segments then re-read their needs fields.
/// Merges and their undo mark both sides the same way (the absorbed customer's rows go when the
/// refresher finds no history left for them).
/// </summary>
public sealed class NeedsProjection(NeedsPending pending) : IEventProjection
{
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        var customers = new HashSet<long>();
        foreach (var s in events)
        {
            // Rapport's own events ("Email Sent", "Segment Entered") change nothing the customer did.
            if (!s.Own)
            {
                customers.Add(s.CustomerId);
            }

            // A cancellation sent for someone else's order (a support agent's session) changes the owner's needs.
            if (s.Event.Type == "track" && s.Event.Name == EcommerceEvents.OrderCancelled
                && CommerceProperties.Text(s.Event, "order_id") is { } orderId
                && await unit.Connection.ExecuteScalarAsync<long?>(
                    "SELECT customer_id FROM orders WHERE order_id = @orderId", new { orderId }, unit.Transaction) is { } owner)
            {
                customers.Add(owner);
            }
        }

        await pending.MarkAsync(unit, customers);
    }

    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => pending.MarkAsync(unit, customers);
}
