using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

/// <summary>
/// Keeps each customer's cart as the fold of their cart events (<see cref="CartState.Fold"/>).
/// Recomputing from the events, rather than patching, keeps the cart right when events arrive
/// late or out of order; one indexed query per customer touched per batch.
/// </summary>
public sealed class CartProjection : IEventProjection
{
    public Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events) =>
        RebuildAsync(unit, events.Where(s => s.Event.Type == "track" && EcommerceEvents.CartEvents.Contains(s.Event.Name ?? ""))
            .Select(s => s.CustomerId).ToHashSet());

    public async Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        foreach (var customer in customers)
        {
            var rows = await unit.Connection.QueryAsync<(string Name, long At, string Properties)>(
                $"""
                SELECT name, occurred_at, properties FROM events
                WHERE customer_id = @customer AND type = 'track' AND name IN ({string.Join(",", EcommerceEvents.CartEvents.Select(n => $"'{n}'"))})
                ORDER BY occurred_at, message_id
                """,
                new { customer },
                unit.Transaction);
            var cart = CartState.Fold(rows.Select(r => ToCartEvent(r.Name, r.At, r.Properties)));
            await SaveAsync(unit, customer, cart);
        }
    }

    private static CartEvent ToCartEvent(string name, long at, string properties)
    {
        var p = JsonNode.Parse(properties) as JsonObject ?? [];
        var products = CommerceProperties.Products(p).ToList();
        if (CommerceProperties.Product(p) is { } single)
        {
            products.Add(single);
        }

        return new CartEvent(name, at, products);
    }

    private static async Task SaveAsync(UnitOfWork unit, long customer, CartState cart)
    {
        await unit.Connection.ExecuteAsync("DELETE FROM cart_items WHERE customer_id = @customer", new { customer }, unit.Transaction);
        await unit.Connection.ExecuteAsync("DELETE FROM carts WHERE customer_id = @customer", new { customer }, unit.Transaction);
        if (cart.UpdatedAt == 0)
        {
            return;
        }

        await unit.Connection.ExecuteAsync(
            "INSERT INTO carts (customer_id, status, updated_at) VALUES (@customer, @Status, @UpdatedAt)",
            new { customer, cart.Status, cart.UpdatedAt },
            unit.Transaction);
        foreach (var (sku, (quantity, price)) in cart.Items)
        {
            await unit.Connection.ExecuteAsync(
                "INSERT INTO cart_items (customer_id, sku, quantity, unit_price_e4, updated_at) VALUES (@customer, @sku, @quantity, @price, @at)",
                new { customer, sku, quantity, price = price is { } x ? Money.ToStorage(x) : (long?)null, at = cart.UpdatedAt },
                unit.Transaction);
        }
    }
}
