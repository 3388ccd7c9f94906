using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Recommendations;

/// <summary>
/// Keeps the served recommender fresh from the event stream: product views, cart adds and
/// completed orders go into <see cref="RecentActivity"/> at once (undone if the batch rolls
/// back) and mark the model stale, so the next scheduled retrain folds them into co-occurrence.
/// No database work: ingest pays a dictionary insert per product.
/// </summary>
public sealed class RecommendationProjection(Recommender recommender, RecommendationOptions options) : IEventProjection
{
    public Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        foreach (var s in events)
        {
            if (s.Event.Type != "track")
            {
                continue;
            }

            var (weight, bought) = s.Event.Name switch
            {
                EcommerceEvents.ProductViewed => (options.ViewWeight, false),
                EcommerceEvents.ProductAdded => (options.CartWeight, false),
                EcommerceEvents.OrderCompleted => (options.PurchaseWeight, true),
                _ => (0f, false),
            };
            if (weight == 0)
            {
                continue;
            }

            foreach (var p in CommerceProperties.Products(s.Event).Concat(CommerceProperties.Product(s.Event) is { } one ? [one] : []))
            {
                recommender.Recent.Add(s.CustomerId, p.Sku, weight, bought);
                long customer = s.CustomerId;
                unit.OnRollback(() => recommender.Recent.Remove(customer, p.Sku, bought));
            }

            recommender.MarkStale();
        }

        return Task.CompletedTask;
    }

    /// <summary>Merges move history between customers: the next retrain re-reads it.</summary>
    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        if (customers.Count > 0)
        {
            recommender.MarkStale();
        }

        return Task.CompletedTask;
    }
}
