using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

/// <summary>
/// Keeps each customer's cart as the fold of their cart events (<see cref="CartState.Fold(IEnumerable{CartEvent})"/>).
/// A batch whose cart events all come after a customer's stored cart continues the fold from
/// that cart (one read of the touched carts per batch); a late or out-of-order event, or a
/// merge, recomputes the cart from all the customer's events instead, so the cart is right
/// whatever the arrival order.
/// </summary>
public sealed class CartProjection : IEventProjection
{
    private static readonly string CartEventNames = string.Join(",", EcommerceEvents.CartEvents.Select(n => $"'{n}'"));

    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        var touched = new Dictionary<long, List<StoredEvent>>();
        foreach (var s in events)
        {
            if (s.Event.Type == "track" && EcommerceEvents.CartEvents.Contains(s.Event.Name ?? ""))
            {
                if (!touched.TryGetValue(s.CustomerId, out var mine))
                {
                    touched[s.CustomerId] = mine = [];
                }

                mine.Add(s);
            }
        }

        if (touched.Count == 0)
        {
            return;
        }

        var stored = await LoadAsync(unit, touched.Keys);
        var carts = new Dictionary<long, CartState>(touched.Count);
        var rebuild = new List<long>();
        foreach (var (customer, mine) in touched)
        {
            var start = stored.GetValueOrDefault(customer, CartState.Empty);
            if (mine.Any(s => UnixTime.ToStorage(s.Event.OccurredAt) <= start.UpdatedAt))
            {
                rebuild.Add(customer);
                continue;
            }

            carts[customer] = CartState.Fold(start, mine
                .OrderBy(s => UnixTime.ToStorage(s.Event.OccurredAt)).ThenBy(s => s.Event.MessageId, StringComparer.Ordinal)
                .Select(s => ToCartEvent(s.Event)));
        }

        foreach (var (customer, cart) in carts)
        {
            await WriteChangesAsync(unit, customer, stored.GetValueOrDefault(customer), cart);
        }

        await RebuildAsync(unit, rebuild);
    }

    public async Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        if (customers.Count == 0)
        {
            return;
        }

        var rows = await unit.Connection.QueryAsync<(long Customer, string Name, long At, string Properties)>(
            $"""
            SELECT customer_id, name, occurred_at, properties FROM events
            WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")} AND type = 'track' AND name IN ({CartEventNames})
            ORDER BY customer_id, occurred_at, message_id
            """,
            new { customers = ValueList.Of(unit.Dialect, customers) },
            unit.Transaction);
        var carts = rows.GroupBy(r => r.Customer).ToDictionary(
            g => g.Key,
            g => CartState.Fold(g.Select(r => ToCartEvent(r.Name, r.At, JsonNode.Parse(r.Properties) as JsonObject ?? []))));
        await ReplaceAsync(unit, customers, carts);
    }

    /// <summary>The stored carts of these customers (customers without one are left out).</summary>
    private static async Task<Dictionary<long, CartState>> LoadAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        // A prepared statement, not Dapper: Dapper keys its generated reader on the column types
        // of the first row, which SQLite reports per value (NULL items here), so it kept
        // generating and discarding IL, and the finalizer thread spent a core freeing it.
        var rows = await unit.Statement(
            $"""
            SELECT c.customer_id, c.status, c.updated_at, i.sku, i.quantity, i.unit_price_e4
            FROM carts c LEFT JOIN cart_items i ON i.customer_id = c.customer_id
            WHERE c.customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}
            """,
            "@customers").QueryAsync(ValueList.Of(unit.Dialect, customers));
        return rows.GroupBy(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToDictionary(
            g => g.Key,
            g => new CartState(
                (string)g.First()[1]!,
                Convert.ToInt64(g.First()[2], CultureInfo.InvariantCulture),
                g.Where(r => r[3] is not null).ToDictionary(
                    r => (string)r[3]!,
                    r => (Convert.ToInt32(r[4], CultureInfo.InvariantCulture), r[5] is null ? (decimal?)null : Money.FromStorage(Convert.ToInt64(r[5], CultureInfo.InvariantCulture))),
                    StringComparer.Ordinal)));
    }

    /// <summary>Replaces the stored carts of <paramref name="customers"/> with <paramref name="carts"/> (a customer missing there ends with none).</summary>
    private static async Task ReplaceAsync(UnitOfWork unit, IReadOnlyCollection<long> customers, Dictionary<long, CartState> carts)
    {
        if (customers.Count == 0)
        {
            return;
        }

        var list = ValueList.Of(unit.Dialect, customers);
        await unit.Statement($"DELETE FROM cart_items WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}", "@customers").ExecuteAsync(list);
        await unit.Statement($"DELETE FROM carts WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}", "@customers").ExecuteAsync(list);
        foreach (var (customer, cart) in carts)
        {
            await SaveAsync(unit, customer, cart);
        }
    }

    private static CartEvent ToCartEvent(IncomingEvent e)
    {
        var products = CommerceProperties.Products(e).ToList();
        if (CommerceProperties.Product(e) is { } single)
        {
            products.Add(single);
        }

        return new CartEvent(e.Name!, UnixTime.ToStorage(e.OccurredAt), products);
    }

    private static CartEvent ToCartEvent(string name, long at, JsonObject properties)
    {
        var products = CommerceProperties.Products(properties).ToList();
        if (CommerceProperties.Product(properties) is { } single)
        {
            products.Add(single);
        }

        return new CartEvent(name, at, products);
    }

    /// <summary>
    /// Writes only what changed between the stored cart and the continued fold: a cart event
    /// usually touches one item, so this is two statements where rewriting the cart took one
    /// per item plus three. An item's updated_at is when it last changed.
    /// </summary>
    private static async Task WriteChangesAsync(UnitOfWork unit, long customer, CartState? before, CartState after)
    {
        if (before is null)
        {
            await SaveAsync(unit, customer, after);
            return;
        }

        await unit.Statement("UPDATE carts SET status = @status, updated_at = @at WHERE customer_id = @customer", "@status", "@at", "@customer")
            .ExecuteAsync(after.Status, after.UpdatedAt, customer);
        foreach (var sku in before.Items.Keys.Where(sku => !after.Items.ContainsKey(sku)))
        {
            await unit.Statement("DELETE FROM cart_items WHERE customer_id = @customer AND sku = @sku", "@customer", "@sku")
                .ExecuteAsync(customer, sku);
        }

        foreach (var (sku, (quantity, price)) in after.Items)
        {
            var storedPrice = price is { } x ? Money.ToStorage(x) : (long?)null;
            if (!before.Items.TryGetValue(sku, out var old))
            {
                await InsertItemAsync(unit, customer, sku, quantity, storedPrice, after.UpdatedAt);
            }
            else if (old.Quantity != quantity || old.Price != price)
            {
                await unit.Statement(
                        "UPDATE cart_items SET quantity = @quantity, unit_price_e4 = @price, updated_at = @at WHERE customer_id = @customer AND sku = @sku",
                        "@quantity", "@price", "@at", "@customer", "@sku")
                    .ExecuteAsync((long)quantity, storedPrice, after.UpdatedAt, customer, sku);
            }
        }
    }

    private static ValueTask<int> InsertItemAsync(UnitOfWork unit, long customer, string sku, int quantity, long? price, long at) =>
        unit.Statement(
                "INSERT INTO cart_items (customer_id, sku, quantity, unit_price_e4, updated_at) VALUES (@customer, @sku, @quantity, @price, @at)",
                "@customer", "@sku", "@quantity", "@price", "@at")
            .ExecuteAsync(customer, sku, (long)quantity, price, at);

    /// <summary>Writes a cart whose old rows were already deleted.</summary>
    private static async Task SaveAsync(UnitOfWork unit, long customer, CartState cart)
    {
        if (cart.UpdatedAt == 0)
        {
            return;
        }

        await unit.Statement("INSERT INTO carts (customer_id, status, updated_at) VALUES (@customer, @status, @at)", "@customer", "@status", "@at")
            .ExecuteAsync(customer, cart.Status, cart.UpdatedAt);
        foreach (var (sku, (quantity, price)) in cart.Items)
        {
            await InsertItemAsync(unit, customer, sku, quantity, price is { } x ? Money.ToStorage(x) : null, cart.UpdatedAt);
        }
    }
}
