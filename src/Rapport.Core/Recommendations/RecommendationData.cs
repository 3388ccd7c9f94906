using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Recommendations;

namespace Rapport.Core.Recommendations;

/// <summary>A product as the recommender sees it.</summary>
public sealed record CatalogEntry(string Sku, string Name, string? Category, decimal? Price, decimal? UnitCost, bool Available);

/// <summary>
/// Everything a retrain reads from the store, already mapped to dense int ids: the catalogue,
/// product signals from events (views, cart adds) and purchases from orders (with their basket).
/// </summary>
public sealed class RecommendationData
{
    public IdIndex<string> Items { get; } = new(StringComparer.Ordinal);

    public IdIndex<long> Users { get; } = new();

    /// <summary>Per item id, its products row (null for SKUs seen only in events or orders without a products row).</summary>
    public List<CatalogEntry?> Catalog { get; } = [];

    // Chunked lists, not List<T>: at 10M views a doubling list left ~800 MB of outgrown arrays on
    // the large-object heap per retrain (docs/performance.md, "Session 10: memory at 1M").
    public ChunkedList<Interaction> Views { get; } = new();

    public ChunkedList<Interaction> CartAdds { get; } = new();

    /// <summary>Purchases of known customers (User = dense id).</summary>
    public ChunkedList<Interaction> Purchases { get; } = new();

    /// <summary>(basket, item) for every sale line, anonymous sales included: baskets need no customer.</summary>
    public ChunkedList<(int Basket, int Item)> BasketLines { get; } = new();

    public int Baskets { get; private set; }

    public int Item(string sku)
    {
        int id = Items.Add(sku);
        while (Catalog.Count < Items.Count)
        {
            Catalog.Add(null);
        }

        return id;
    }

    /// <summary>Reads the store: products, then sale lines since <paramref name="since"/>, then product events since then.</summary>
    public static async Task<RecommendationData> LoadAsync(IDatabase database, RecommendationOptions options, DateTimeOffset since, CancellationToken ct)
    {
        var data = new RecommendationData();
        await using var c = await database.OpenAsync(ct);
        var products = await c.QueryAsync<(string Sku, string Name, string? Category, long? Price, long? Cost, long Available)>(
            "SELECT sku, name, category, price_e4, unit_cost_e4, available FROM products ORDER BY sku");
        foreach (var p in products)
        {
            data.Catalog[data.Item(p.Sku)] = new CatalogEntry(p.Sku, p.Name, p.Category, Money.FromStorage(p.Price), Money.FromStorage(p.Cost), p.Available == 1);
        }

        long from = UnixTime.ToStorage(since);
        await ReadPurchasesAsync(c, data, from, options, ct);
        await ReadEventsAsync(c, data, from, options, ct);
        return data;
    }

    private static async Task ReadPurchasesAsync(DbConnection c, RecommendationData data, long from, RecommendationOptions options, CancellationToken ct)
    {
        var baskets = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = c.QueryUnbufferedAsync<(string OrderId, long? Customer, long PlacedAt, string Sku)>(
            """
            SELECT o.order_id, o.customer_id, o.placed_at, l.sku FROM orders o JOIN order_lines l ON l.order_id = o.order_id
            WHERE o.kind = 'sale' AND o.status <> 'cancelled' AND o.placed_at >= @from AND l.quantity > 0
            """,
            new { from });
        await foreach (var line in lines.WithCancellation(ct))
        {
            int item = data.Item(line.Sku);
            if (!baskets.TryGetValue(line.OrderId, out var basket))
            {
                baskets[line.OrderId] = basket = baskets.Count;
            }

            data.BasketLines.Add((basket, item));
            if (line.Customer is { } customer)
            {
                data.Purchases.Add(new Interaction(data.Users.Add(customer), item, line.PlacedAt / 1000, options.PurchaseWeight));
            }
        }

        data.Baskets = baskets.Count;
    }

    private static async Task ReadEventsAsync(DbConnection c, RecommendationData data, long from, RecommendationOptions options, CancellationToken ct)
    {
        var rows = c.QueryUnbufferedAsync<(long Customer, string Name, long At, string Properties)>(
            "SELECT customer_id, name, occurred_at, properties FROM events WHERE type = 'track' AND name IN (@viewed, @added) AND occurred_at >= @from",
            new { viewed = EcommerceEvents.ProductViewed, added = EcommerceEvents.ProductAdded, from });
        await foreach (var row in rows.WithCancellation(ct))
        {
            using var json = JsonDocument.Parse(row.Properties);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            bool view = row.Name == EcommerceEvents.ProductViewed;
            var products = CommerceProperties.Products(json.RootElement).ToList();
            if (CommerceProperties.Product(json.RootElement) is { } single)
            {
                products.Add(single);
            }

            foreach (var p in products)
            {
                var x = new Interaction(data.Users.Add(row.Customer), data.Item(p.Sku), row.At / 1000, view ? options.ViewWeight : options.CartWeight);
                (view ? data.Views : data.CartAdds).Add(x);
            }
        }
    }
}
