using System.Globalization;
using Rapport.Core.Customers;
using Rapport.Core.Storage;

namespace Rapport.LoadTests.Dashboard;

/// <summary>Sizes of the dashboard scenario's store; written next to the file so a later run reuses it only if they match.</summary>
internal sealed record DashboardSize(int Customers, int Products)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Customers} customers, {Products} products, seed v2");
}

/// <summary>
/// The customer base of the dashboard scenario, bulk-inserted (<see cref="BulkStore"/>):
/// customers 1..N created over two years, each with an email identifier c{id}@example.com and a
/// name trait "Customer {id}" with its search terms (as the traits projection writes them);
/// products p0..p{P-1} in 500 categories; per customer 1 + geometric (mean 10) orders over the
/// two years before 2026-10-01, each with one line naming a product (popularity skewed: a quarter
/// of lines and views go to the first 1% of products), on the web, the app or in store; and 1-16
/// product views (mean 8.5) over the same two years. Message and order ids grow in insertion
/// order so their unique keys are appended to, not inserted into at random.
/// </summary>
internal static class StoreSeed
{
    private const int Categories = 500;
    private static readonly DateTimeOffset End = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long From = UnixTime.ToStorage(End.AddYears(-2));
    private const long TwoYears = 730L * 86_400_000;

    public static string Email(long customer) => string.Create(CultureInfo.InvariantCulture, $"c{customer}@example.com");

    public static string Name(long customer) => string.Create(CultureInfo.InvariantCulture, $"Customer {customer}");

    /// <summary>Returns (orders, views).</summary>
    public static async Task<(long Orders, long Views)> SeedAsync(BulkStore store, DashboardSize size, Action<string> log)
    {
        var random = new Random(7);
        long Created(long id) => From + (id * TwoYears / Math.Max(1, size.Customers)); // sign-ups spread evenly, oldest first
        var ids = Enumerable.Range(1, size.Customers).Select(i => (long)i);
        await store.InsertAsync("customers", ["id", "created_at"], ids.Select(id => new object?[] { id, Created(id) }));
        await store.InsertAsync("identifiers", ["kind", "value", "customer_id", "first_seen_at"], ids.Select(id => new object?[] { "email", Email(id), id, Created(id) }));
        await store.InsertAsync("traits", ["customer_id", "name", "value", "source", "at"], ids.Select(id => new object?[] { id, "name", Name(id), "bench", Created(id) }));
        await store.InsertAsync("customer_search", ["term", "customer_id", "trait"], ids.SelectMany(id => CustomerSearch.Rows(id, "name", Name(id))));
        log($"customers, identifiers, names and search terms: {size.Customers:N0}");

        await store.InsertAsync(
            "products",
            ["sku", "name", "category", "price_e4", "unit_cost_e4", "currency", "available", "updated_at"],
            Enumerable.Range(0, size.Products).Select(i =>
            {
                long price = (5 + (i % 95)) * 10_000L;
                return new object?[] { Sku(i), $"Product {i}", Category(i), price, price * 6 / 10, "GBP", i % 100 == 99 ? 0L : 1L, 0L };
            }));
        log($"products: {size.Products:N0}");

        long orders = 0;
        foreach (var chunk in ids.Chunk(50_000))
        {
            var sales = new List<object?[]>();
            var lines = new List<object?[]>();
            foreach (var customer in chunk)
            {
                var email = Email(customer);
                for (int n = 0; n == 0 || random.NextDouble() < 0.9; n++)
                {
                    var at = Math.Max(Created(customer), UnixTime.ToStorage(End) - random.NextInt64(TwoYears));
                    var product = Product(random, size.Products);
                    var quantity = 1L + random.Next(3);
                    var total = quantity * (5 + (product % 95)) * 10_000L;
                    var channel = random.NextDouble() switch { < 0.7 => "web", < 0.9 => "app", _ => "store" };
                    var id = string.Create(CultureInfo.InvariantCulture, $"o{orders++:D9}");
                    sales.Add([id, "sale", customer, "email", email, channel, "completed", at, "GBP", total, 0L, total, "bench", null]);
                    lines.Add([id, 0L, Sku(product), quantity, total / quantity, 0L]);
                }
            }

            await store.InsertAsync(
                "orders",
                ["order_id", "kind", "customer_id", "id_kind", "id_value", "channel", "status", "placed_at", "currency", "subtotal_e4", "discount_e4", "total_e4", "source", "message_id"],
                sales);
            await store.InsertAsync("order_lines", ["order_id", "line_no", "sku", "quantity", "unit_price_e4", "discount_e4"], lines);
        }

        log($"orders and order lines: {orders:N0}");
        long views = 0;
        var viewRows = ids.SelectMany(customer => Enumerable.Range(0, 1 + random.Next(16)).Select(_ =>
        {
            var product = Product(random, size.Products);
            var at = Math.Max(Created(customer), UnixTime.ToStorage(End) - random.NextInt64(TwoYears));
            var properties = string.Create(CultureInfo.InvariantCulture, $$"""{"sku":"{{Sku(product)}}","name":"Product {{product}}","category":"{{Category(product)}}","price":{{5 + (product % 95)}}}""");
            var message = string.Create(CultureInfo.InvariantCulture, $"v{views++:D10}");
            return new object?[] { message, "track", "Product Viewed", random.NextDouble() < 0.3 ? "app" : "web", customer, "email", Email(customer), at, at, properties };
        }));
        await store.InsertAsync("events", ["message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value", "occurred_at", "received_at", "properties"], viewRows);
        log($"product views: {views:N0}");
        return (orders, views);
    }

    private static string Sku(int product) => string.Create(CultureInfo.InvariantCulture, $"p{product}");

    private static string Category(int product) => string.Create(CultureInfo.InvariantCulture, $"cat{product % Categories}");

    /// <summary>Skewed: a quarter go to the first 1% of products.</summary>
    private static int Product(Random random, int products) =>
        random.NextDouble() < 0.25 ? random.Next(Math.Max(1, products / 100)) : random.Next(products);
}
