using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

/// <summary>
/// Keeps each customer's cart as the fold of their cart events (<see cref="CartState.Fold"/>).
/// Recomputing from the events, rather than patching, keeps the cart right when events arrive
/// late or out of order. A batch costs one indexed read of the touched customers' cart events,
/// one delete of their old carts and one prepared insert per cart and item.
/// </summary>
public sealed class CartProjection : IEventProjection
{
    private static readonly string CartEventNames = string.Join(",", EcommerceEvents.CartEvents.Select(n => $"'{n}'"));

    public Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events) =>
        RebuildAsync(unit, events.Where(s => s.Event.Type == "track" && EcommerceEvents.CartEvents.Contains(s.Event.Name ?? ""))
            .Select(s => s.CustomerId).ToHashSet());

    public async Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        if (customers.Count == 0)
        {
            return;
        }

        var list = ValueList.Of(unit.Dialect, customers);
        var rows = await unit.Connection.QueryAsync<(long Customer, string Name, long At, string Properties)>(
            $"""
            SELECT customer_id, name, occurred_at, properties FROM events
            WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")} AND type = 'track' AND name IN ({CartEventNames})
            ORDER BY customer_id, occurred_at, message_id
            """,
            new { customers = list },
            unit.Transaction);
        var carts = rows.GroupBy(r => r.Customer).ToDictionary(g => g.Key, g => CartState.Fold(g.Select(r => ToCartEvent(r.Name, r.At, r.Properties))));

        var p = new { customers = list };
        await unit.Connection.ExecuteAsync($"DELETE FROM cart_items WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}", p, unit.Transaction);
        await unit.Connection.ExecuteAsync($"DELETE FROM carts WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}", p, unit.Transaction);
        foreach (var (customer, cart) in carts)
        {
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

    /// <summary>Writes a cart whose old rows were already deleted.</summary>
    private static async Task SaveAsync(UnitOfWork unit, long customer, CartState cart)
    {
        if (cart.UpdatedAt == 0)
        {
            return;
        }

        var insertCart = unit.Command("INSERT INTO carts (customer_id, status, updated_at) VALUES (@customer, @status, @at)", "@customer", "@status", "@at");
        insertCart.Parameters[0].Value = customer;
        insertCart.Parameters[1].Value = cart.Status;
        insertCart.Parameters[2].Value = cart.UpdatedAt;
        await insertCart.ExecuteNonQueryAsync();
        var insertItem = unit.Command(
            "INSERT INTO cart_items (customer_id, sku, quantity, unit_price_e4, updated_at) VALUES (@customer, @sku, @quantity, @price, @at)",
            "@customer", "@sku", "@quantity", "@price", "@at");
        foreach (var (sku, (quantity, price)) in cart.Items)
        {
            insertItem.Parameters[0].Value = customer;
            insertItem.Parameters[1].Value = sku;
            insertItem.Parameters[2].Value = quantity;
            insertItem.Parameters[3].Value = price is { } x ? (object)Money.ToStorage(x) : DBNull.Value;
            insertItem.Parameters[4].Value = cart.UpdatedAt;
            await insertItem.ExecuteNonQueryAsync();
        }
    }
}
