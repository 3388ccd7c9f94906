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
            await UpsertProductAsync(unit, product);
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
        var command = unit.Command(
            """
            INSERT INTO products (sku, name, category, price_e4, updated_at) VALUES (@sku, @name, @category, @price, @now)
            ON CONFLICT (sku) DO UPDATE SET
              category = COALESCE(products.category, excluded.category),
              price_e4 = COALESCE(products.price_e4, excluded.price_e4)
            """,
            "@sku", "@name", "@category", "@price", "@now");
        command.Parameters[0].Value = p.Sku;
        command.Parameters[1].Value = p.Name ?? p.Sku;
        command.Parameters[2].Value = (object?)p.Category ?? DBNull.Value;
        command.Parameters[3].Value = p.Price is { } x ? (object)Money.ToStorage(x) : DBNull.Value;
        command.Parameters[4].Value = unit.Now;
        await command.ExecuteNonQueryAsync();
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
        var insert = unit.Command(
            """
            INSERT INTO orders (order_id, kind, customer_id, id_kind, id_value, channel, status, placed_at, currency,
                                subtotal_e4, discount_e4, total_e4, source, message_id)
            VALUES (@orderId, @kind, @customer, @idKind, @idValue, @channel, 'completed', @at, @currency,
                    @subtotal, @discount, @total, 'event', @messageId)
            ON CONFLICT (order_id) DO NOTHING
            """,
            "@orderId", "@kind", "@customer", "@idKind", "@idValue", "@channel", "@at", "@currency", "@subtotal", "@discount", "@total", "@messageId");
        object?[] values =
        [
            orderId, kind, s.CustomerId, s.Primary.Kind, s.Primary.Value, s.Event.Channel, UnixTime.ToStorage(s.Event.OccurredAt),
            CommerceProperties.Text(p, "currency"), sign * Money.ToStorage(subtotal), sign * Money.ToStorage(discount),
            sign * Money.ToStorage(total), s.Event.MessageId,
        ];
        for (var i = 0; i < values.Length; i++)
        {
            insert.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        if (await insert.ExecuteNonQueryAsync() == 0)
        {
            return;
        }

        var line = unit.Command(
            """
            INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_e4, discount_e4)
            VALUES (@orderId, @lineNo, @sku, @quantity, @price, 0)
            """,
            "@orderId", "@lineNo", "@sku", "@quantity", "@price");
        var lineNo = 0;
        foreach (var l in lines)
        {
            line.Parameters[0].Value = orderId;
            line.Parameters[1].Value = ++lineNo;
            line.Parameters[2].Value = l.Sku;
            line.Parameters[3].Value = sign * l.Quantity;
            line.Parameters[4].Value = Money.ToStorage(l.Price ?? 0);
            await line.ExecuteNonQueryAsync();
        }
    }
}
