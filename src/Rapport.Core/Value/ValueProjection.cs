using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Value;

/// <summary>
/// Keeps customer_value current as orders, refunds and cancellations arrive, in the ingest
/// transaction (registered after OrderProjection, so the orders are already written). On merges
/// and their undo, costs follow their customer and both sides are recomputed.
/// </summary>
public sealed class ValueProjection(ValuePopulationCache population) : IEventProjection
{
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        var customers = new HashSet<long>();
        foreach (var s in events)
        {
            if (s.Event.Type != "track")
            {
                continue;
            }

            switch (s.Event.Name)
            {
                case EcommerceEvents.OrderCompleted or EcommerceEvents.OrderRefunded:
                    customers.Add(s.CustomerId);
                    break;
                case EcommerceEvents.OrderCancelled:
                    customers.Add(s.CustomerId);
                    if (CommerceProperties.Text(s.Event.Payload, "order_id") is { } orderId
                        && await unit.Connection.ExecuteScalarAsync<long?>(
                            "SELECT customer_id FROM orders WHERE order_id = @orderId", new { orderId }, unit.Transaction) is { } owner)
                    {
                        customers.Add(owner);
                    }

                    break;
            }
        }

        if (customers.Count > 0)
        {
            await RefreshAsync(unit, customers);
        }
    }

    public async Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        var touched = new HashSet<long>(customers);
        touched.UnionWith(await CustomerCosts.ReassignAsync(unit, customers));
        await RefreshAsync(unit, touched);
    }

    private async Task RefreshAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) =>
        await CustomerValueUpdater.RefreshAsync(unit, customers, await population.GetAsync(unit.Connection, unit.Transaction));
}
