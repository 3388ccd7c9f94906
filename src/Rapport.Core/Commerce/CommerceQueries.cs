using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

public sealed record CartLine(string Sku, string? Name, int Quantity, decimal? UnitPrice);

public sealed record CartView(long CustomerId, string Status, DateTimeOffset UpdatedAt, IReadOnlyList<CartLine> Items);

public sealed record ViewedProduct(string Sku, string? Name, DateTimeOffset At);

public sealed record ResumeView(IReadOnlyList<ViewedProduct> RecentlyViewed, CartView? OpenCart, IReadOnlyList<string> RecentSearches);

/// <summary>One order or return as the profile lists it.</summary>
public sealed record OrderListItem(string OrderId, string Kind, string Channel, string Status, DateTimeOffset PlacedAt, string? Currency, decimal Total, long Lines);

public sealed record AbandonedCart(long CustomerId, DateTimeOffset IdleSince, int Items, decimal Value);

/// <summary>Reads for "resume where you left off" and abandoned-cart detection.</summary>
public sealed class CommerceQueries(IDatabase database, TimeProvider clock)
{
    public async Task<CartView?> CartAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var cart = await c.QuerySingleOrDefaultAsync<(string Status, long UpdatedAt)?>(
            "SELECT status, updated_at FROM carts WHERE customer_id = @customerId", new { customerId });
        if (cart is null)
        {
            return null;
        }

        var items = await c.QueryAsync<(string Sku, string? Name, long Quantity, long? Price)>(
            """
            SELECT ci.sku, p.name, ci.quantity, ci.unit_price_e4 FROM cart_items ci
            LEFT JOIN products p ON p.sku = ci.sku WHERE ci.customer_id = @customerId ORDER BY ci.sku
            """,
            new { customerId });
        return new CartView(customerId, cart.Value.Status, UnixTime.FromStorage(cart.Value.UpdatedAt),
            items.Select(i => new CartLine(i.Sku, i.Name, (int)i.Quantity, Money.FromStorage(i.Price))).ToList());
    }

    /// <summary>Recently viewed and not bought since, the open cart, recent searches.</summary>
    public async Task<ResumeView> ResumeAsync(long customerId, int limit = 10, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var recent = await c.QueryAsync<(string Name, string Properties, long At)>(
            """
            SELECT name, properties, occurred_at FROM events
            WHERE customer_id = @customerId AND type = 'track' AND name IN (@viewed, @searched)
            ORDER BY occurred_at DESC LIMIT 500
            """,
            new { customerId, viewed = EcommerceEvents.ProductViewed, searched = EcommerceEvents.ProductsSearched });
        var bought = (await c.QueryAsync<string>(
            "SELECT DISTINCT l.sku FROM order_lines l JOIN orders o ON o.order_id = l.order_id WHERE o.customer_id = @customerId AND o.kind = 'sale'",
            new { customerId })).ToHashSet(StringComparer.Ordinal);
        var viewed = new List<ViewedProduct>();
        var searches = new List<string>();
        foreach (var r in recent)
        {
            var p = JsonNode.Parse(r.Properties) as JsonObject ?? [];
            if (r.Name == EcommerceEvents.ProductsSearched && CommerceProperties.Text(p, "query") is { } q && !searches.Contains(q) && searches.Count < limit)
            {
                searches.Add(q);
            }
            else if (CommerceProperties.Product(p) is { } product && !bought.Contains(product.Sku)
                     && viewed.All(v => v.Sku != product.Sku) && viewed.Count < limit)
            {
                viewed.Add(new ViewedProduct(product.Sku, product.Name, UnixTime.FromStorage(r.At)));
            }
        }

        var cart = await CartAsync(customerId, ct);
        return new ResumeView(viewed, cart is { Status: "open" } ? cart : null, searches);
    }

    /// <summary>The customer's latest orders and returns, newest first (ix_orders_customer serves it).</summary>
    public async Task<IReadOnlyList<OrderListItem>> OrdersAsync(long customerId, int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string OrderId, string Kind, string Channel, string Status, long PlacedAt, string? Currency, long Total, long Lines)>(
            new CommandDefinition(
                """
                SELECT o.order_id, o.kind, o.channel, o.status, o.placed_at, o.currency, o.total_e4,
                       (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.order_id)
                FROM orders o WHERE o.customer_id = @customerId
                ORDER BY o.placed_at DESC, o.order_id DESC LIMIT @limit
                """,
                new { customerId, limit = Math.Clamp(limit, 1, 500) },
                cancellationToken: ct));
        return rows.Select(r => new OrderListItem(r.OrderId, r.Kind, r.Channel, r.Status, UnixTime.FromStorage(r.PlacedAt), r.Currency, Money.FromStorage(r.Total), r.Lines)).ToList();
    }

    /// <summary>Open carts nobody has touched for <paramref name="idle"/>: the input of cart recovery.</summary>
    public async Task<IReadOnlyList<AbandonedCart>> AbandonedAsync(TimeSpan idle, int limit, CancellationToken ct = default)
    {
        var cutoff = UnixTime.ToStorage(clock.GetUtcNow() - idle);
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long CustomerId, long UpdatedAt, long Items, long Value)>(
            """
            SELECT c.customer_id, c.updated_at, COUNT(ci.sku), COALESCE(SUM(ci.quantity * COALESCE(ci.unit_price_e4, p.price_e4, 0)), 0)
            FROM carts c JOIN cart_items ci ON ci.customer_id = c.customer_id LEFT JOIN products p ON p.sku = ci.sku
            WHERE c.status = 'open' AND c.updated_at <= @cutoff
            GROUP BY c.customer_id, c.updated_at
            ORDER BY c.updated_at DESC
            LIMIT @limit
            """,
            new { cutoff, limit });
        return rows.Select(r => new AbandonedCart(r.CustomerId, UnixTime.FromStorage(r.UpdatedAt), (int)r.Items, Money.FromStorage(r.Value))).ToList();
    }
}
