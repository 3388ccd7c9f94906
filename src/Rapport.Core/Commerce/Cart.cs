using Rapport.Core.Events;

namespace Rapport.Core.Commerce;

/// <summary>A cart event reduced to what the cart fold needs.</summary>
public sealed record CartEvent(string Name, long At, IReadOnlyList<ProductRef> Products);

/// <summary>The open cart: what is in it and when the customer last touched it.</summary>
public sealed record CartState(string Status, long UpdatedAt, IReadOnlyDictionary<string, (int Quantity, decimal? Price)> Items)
{
    public static readonly CartState Empty = new("empty", 0, new Dictionary<string, (int, decimal?)>());

    /// <summary>
    /// Folds cart events in time order: adds and removes change quantities, checkout steps
    /// count as activity, a completed order converts and empties the cart.
    /// </summary>
    public static CartState Fold(IEnumerable<CartEvent> events) => Fold(Empty, events);

    /// <summary>
    /// Continues a fold: <paramref name="start"/> is the fold of earlier events, so folding later
    /// ones onto it gives the same cart as folding them all (the state is items, status and time).
    /// </summary>
    public static CartState Fold(CartState start, IEnumerable<CartEvent> events)
    {
        var items = new Dictionary<string, (int Quantity, decimal? Price)>(start.Items, StringComparer.Ordinal);
        var status = start.Status;
        var updated = start.UpdatedAt;
        foreach (var e in events.OrderBy(e => e.At))
        {
            updated = e.At;
            switch (e.Name)
            {
                case EcommerceEvents.ProductAdded:
                    foreach (var p in e.Products)
                    {
                        var q = items.TryGetValue(p.Sku, out var cur) ? cur.Quantity : 0;
                        items[p.Sku] = (q + Math.Max(1, p.Quantity), p.Price ?? cur.Price);
                    }

                    break;
                case EcommerceEvents.ProductRemoved:
                    foreach (var p in e.Products)
                    {
                        if (items.TryGetValue(p.Sku, out var cur))
                        {
                            var left = cur.Quantity - Math.Max(1, p.Quantity);
                            if (left > 0)
                            {
                                items[p.Sku] = (left, cur.Price);
                            }
                            else
                            {
                                items.Remove(p.Sku);
                            }
                        }
                    }

                    break;
                case EcommerceEvents.OrderCompleted:
                    items.Clear();
                    status = "converted";
                    continue;
            }

            status = items.Count > 0 ? "open" : status == "converted" && e.Name != EcommerceEvents.ProductRemoved ? "converted" : "empty";
        }

        return new CartState(status, updated, items);
    }
}
