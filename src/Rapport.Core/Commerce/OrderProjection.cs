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
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        foreach (var s in events)
        {
            var e = s.Event;
            if (e.Type != "track")
            {
                continue;
            }

            foreach (var product in ProductsMentioned(e))
            {
                await UpsertProductAsync(unit, product);
            }

            switch (e.Name)
            {
                case EcommerceEvents.OrderCompleted:
                    await InsertOrderAsync(unit, s, "sale", CommerceProperties.Text(e.Payload, "order_id") ?? e.MessageId, 1);
                    break;
                case EcommerceEvents.OrderRefunded:
                    await RefundAsync(unit, s);
                    break;
                case EcommerceEvents.OrderCancelled when CommerceProperties.Text(e.Payload, "order_id") is { } cancelled:
                    await unit.Connection.ExecuteAsync(
                        "UPDATE orders SET status = 'cancelled' WHERE order_id = @cancelled", new { cancelled }, unit.Transaction);
                    break;
            }
        }
    }

    /// <summary>Orders follow their identifier on merges (see IdentityResolver); nothing to recompute.</summary>
    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => Task.CompletedTask;

    private static IEnumerable<ProductRef> ProductsMentioned(IncomingEvent e) =>
        CommerceProperties.Products(e.Payload).Concat(CommerceProperties.Product(e.Payload) is { } p ? [p] : []);

    private static async Task UpsertProductAsync(UnitOfWork unit, ProductRef p)
    {
        // The catalogue (import) is authoritative; events only fill gaps.
        await unit.Connection.ExecuteAsync(
            """
            INSERT INTO products (sku, name, category, price_e4, updated_at) VALUES (@Sku, @name, @Category, @price, @now)
            ON CONFLICT (sku) DO UPDATE SET
              category = COALESCE(products.category, excluded.category),
              price_e4 = COALESCE(products.price_e4, excluded.price_e4)
            """,
            new { p.Sku, name = p.Name ?? p.Sku, p.Category, price = p.Price is { } x ? Money.ToStorage(x) : (long?)null, now = unit.Now },
            unit.Transaction);
    }

    private static async Task RefundAsync(UnitOfWork unit, StoredEvent s)
    {
        var original = CommerceProperties.Text(s.Event.Payload, "order_id");
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
        var p = s.Event.Payload;
        var lines = CommerceProperties.Products(p);
        var subtotal = lines.Sum(l => (l.Price ?? 0) * l.Quantity);
        var discount = CommerceProperties.Number(p, "discount") ?? 0;
        var total = CommerceProperties.Number(p, "total") ?? CommerceProperties.Number(p, "revenue") ?? subtotal - discount;
        var inserted = await unit.Connection.ExecuteAsync(
            """
            INSERT INTO orders (order_id, kind, customer_id, id_kind, id_value, channel, status, placed_at, currency,
                                subtotal_e4, discount_e4, total_e4, source, message_id)
            VALUES (@orderId, @kind, @customer, @idKind, @idValue, @channel, 'completed', @at, @currency,
                    @subtotal, @discount, @total, 'event', @messageId)
            ON CONFLICT (order_id) DO NOTHING
            """,
            new
            {
                orderId, kind, customer = s.CustomerId, idKind = s.Primary.Kind, idValue = s.Primary.Value, channel = s.Event.Channel,
                at = UnixTime.ToStorage(s.Event.OccurredAt), currency = CommerceProperties.Text(p, "currency"),
                subtotal = sign * Money.ToStorage(subtotal), discount = sign * Money.ToStorage(discount),
                total = sign * Money.ToStorage(total), messageId = s.Event.MessageId,
            },
            unit.Transaction);
        if (inserted == 0)
        {
            return;
        }

        var lineNo = 0;
        foreach (var line in lines)
        {
            await unit.Connection.ExecuteAsync(
                """
                INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_e4, discount_e4)
                VALUES (@orderId, @lineNo, @Sku, @quantity, @price, 0)
                """,
                new { orderId, lineNo = ++lineNo, line.Sku, quantity = sign * line.Quantity, price = Money.ToStorage(line.Price ?? 0) },
                unit.Transaction);
        }
    }
}
