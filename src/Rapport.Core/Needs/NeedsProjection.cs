using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Segments;
using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

/// <summary>
/// Keeps needs current as events arrive, in the ingest transaction (registered after
/// OrderProjection, so orders and products are written): every customer with an interaction in
/// the batch has their needs recomputed from their history, and live segments re-read their
/// needs fields. Merges and their undo recompute both sides.
/// </summary>
public sealed class NeedsProjection(NeedsOptions options, NeedsModelCache models, SegmentRuntime segments) : IEventProjection
{
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        var customers = new HashSet<long>();
        foreach (var s in events)
        {
            // Rapport's own segment events change nothing the customer did.
            if (!(s.Event.Type == "track" && s.Event.Name is { } name && NeedsEvents.NotInteractions.Contains(name)))
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

        await RefreshAsync(unit, customers);
    }

    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => RefreshAsync(unit, customers);

    private async Task RefreshAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        if (customers.Count == 0)
        {
            return;
        }

        var changed = await NeedsUpdater.RefreshAsync(unit, customers, options.Settings, await models.GetAsync(unit.Connection, unit.Transaction));
        if (changed.Count > 0)
        {
            segments.FactsChanged(unit, changed);
        }
    }
}
