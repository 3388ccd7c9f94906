using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

/// <summary>
/// Orders, refunds and the product catalogue from e-commerce events. Orders are keyed by
/// order_id, so an order both imported and tracked is stored once. A refund is a 'return'
/// order with negative lines, the same shape as a cancellation invoice from an import.
/// </summary>
public sealed class OrderProjection : IEventProjection
{
    // Products whose row has a category and a price: an event's upsert would change nothing
    // (it only fills gaps), so it is skipped. Only the single writer touches this.
    private readonly HashSet<string> _complete = new(StringComparer.Ordinal);

    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        // Most events mention a product; a batch mentions each product many times. The upsert
        // only fills gaps, so each product is written once per batch with its first known values.
        var products = new Dictionary<string, ProductRef>(StringComparer.Ordinal);
        foreach (var s in events)
        {
            if (s.Event.Type == "track")
            {
                foreach (var p in ProductsMentioned(s.Event))
                {
                    products[p.Sku] = products.TryGetValue(p.Sku, out var known)
                        ? known with { Category = known.Category ?? p.Category, Price = known.Price ?? p.Price }
                        : p;
                }
            }
        }

        foreach (var product in products.Values)
        {
            if (_complete.Contains(product.Sku))
            {
                continue;
            }

            await UpsertProductAsync(unit, product);
            if (product.Category is not null && product.Price is not null)
            {
                _complete.Add(product.Sku);
                unit.OnRollback(() => _complete.Remove(product.Sku));
            }
        }

        foreach (var s in events)
        {
            var e = s.Event;
            if (e.Type != "track")
            {
                continue;
            }

            switch (e.Name)
            {
                case EcommerceEvents.OrderCompleted:
                    await InsertOrderAsync(unit, s, "sale", CommerceProperties.Text(e, "order_id") ?? e.MessageId, 1);
                    break;
                case EcommerceEvents.OrderRefunded:
                    await RefundAsync(unit, s);
                    break;
                case EcommerceEvents.OrderCancelled when CommerceProperties.Text(e, "order_id") is { } cancelled:
                    await unit.Connection.ExecuteAsync(
                        "UPDATE orders SET status = 'cancelled' WHERE order_id = @cancelled", new { cancelled }, unit.Transaction);
                    break;
            }
        }
    }

    /// <summary>Orders follow their identifier on merges (see IdentityResolver); nothing to recompute.</summary>
    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => Task.CompletedTask;

    private static IEnumerable<ProductRef> ProductsMentioned(IncomingEvent e) =>
        CommerceProperties.Products(e).Concat(CommerceProperties.Product(e) is { } p ? [p] : []);

    private static async Task UpsertProductAsync(UnitOfWork unit, ProductRef p)
    {
        // The catalogue (import) is authoritative; events only fill gaps.
        await unit.Statement(
            """
            INSERT INTO products (sku, name, category, price_e4, updated_at) VALUES (@sku, @name, @category, @price, @now)
            ON CONFLICT (sku) DO UPDATE SET
              category = COALESCE(products.category, excluded.category),
              price_e4 = COALESCE(products.price_e4, excluded.price_e4)
            """,
            "@sku", "@name", "@category", "@price", "@now")
            .ExecuteAsync(p.Sku, p.Name ?? p.Sku, p.Category, p.Price is { } x ? Money.ToStorage(x) : null, unit.Now);
    }

    private static async Task RefundAsync(UnitOfWork unit, StoredEvent s)
    {
        var original = CommerceProperties.Text(s.Event, "order_id");
        if (original is null)
        {
            return;
        }

        await InsertOrderAsync(unit, s, "return", $"{original}/refund/{s.Event.MessageId}", -1);
        var refunded = await unit.Connection.ExecuteScalarAsync<long>(
            "SELECT COALESCE(-SUM(total_e4), 0) FROM orders WHERE order_id LIKE @prefix AND kind = 'return'",
            new { prefix = original + "/refund/%" },
            unit.Transaction);
        await unit.Connection.ExecuteAsync(
            "UPDATE orders SET status = CASE WHEN @refunded >= total_e4 THEN 'refunded' ELSE 'partially_refunded' END WHERE order_id = @original",
            new { refunded, original },
            unit.Transaction);
    }

    private static async Task InsertOrderAsync(UnitOfWork unit, StoredEvent s, string kind, string orderId, int sign)
    {
        var p = s.Event;
        var lines = CommerceProperties.Products(p);
        var subtotal = lines.Sum(l => (l.Price ?? 0) * l.Quantity);
        var discount = CommerceProperties.Number(p, "discount") ?? 0;
        var total = CommerceProperties.Number(p, "total") ?? CommerceProperties.Number(p, "revenue") ?? subtotal - discount;
        var inserted = await unit.Statement(
            """
            INSERT INTO orders (order_id, kind, customer_id, id_kind, id_value, channel, status, placed_at, currency,
                                subtotal_e4, discount_e4, total_e4, source, message_id)
            VALUES (@orderId, @kind, @customer, @idKind, @idValue, @channel, 'completed', @at, @currency,
                    @subtotal, @discount, @total, 'event', @messageId)
            ON CONFLICT (order_id) DO NOTHING
            """,
            "@orderId", "@kind", "@customer", "@idKind", "@idValue", "@channel", "@at", "@currency", "@subtotal", "@discount", "@total", "@messageId")
            .ExecuteAsync(
                orderId, kind, s.CustomerId, s.Primary.Kind, s.Primary.Value, s.Event.Channel, UnixTime.ToStorage(s.Event.OccurredAt),
                CommerceProperties.Text(p, "currency"), sign * Money.ToStorage(subtotal), sign * Money.ToStorage(discount),
                sign * Money.ToStorage(total), s.Event.MessageId);
        if (inserted == 0)
        {
            return;
        }

        var line = unit.Statement(
            """
            INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_e4, discount_e4)
            VALUES (@orderId, @lineNo, @sku, @quantity, @price, 0)
            """,
            "@orderId", "@lineNo", "@sku", "@quantity", "@price");
        var lineNo = 0L;
        foreach (var l in lines)
        {
            await line.ExecuteAsync(orderId, ++lineNo, l.Sku, (long)sign * l.Quantity, Money.ToStorage(l.Price ?? 0));
        }
    }
}
