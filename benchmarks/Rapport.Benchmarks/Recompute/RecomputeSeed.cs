using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Value;

namespace Rapport.Benchmarks.Recompute;

/// <summary>
/// A synthetic shop for <see cref="RecomputeScenario"/>, written straight into the tables by the
/// bulk path (one prepared INSERT bound by position per table), 20,000 customers per
/// transaction, every key generated in ascending order so each index is appended to, not
/// searched. Per customer: 1 + a geometric number of orders (mean 10, at most 60) of 1 or 2
/// lines over 200 products in 8 categories, placed over the two years up to today on the
/// customer's usual channel (a fifth discounted), the Order Completed event of each order of the
/// last year, 4 to 12 product views (half name their category, half only the product, as
/// trackers differ), 0 to 2 adds to cart, 0 to 3 pages, a promotion seen and clicked by a third,
/// the traits plan, country, newsletter and, for 30%, values_most, and the customer_value row the
/// order projection would have left. Fixed seed.
/// </summary>
internal static class RecomputeSeed
{
    public const long Day = 86_400_000;
    public static readonly string[] Categories = ["Lamps", "Chairs", "Sofas", "Tables", "Rugs", "Beds", "Shelves", "Mirrors"];
    private static readonly string[] Channels = ["web", "store", "phone"];
    private static readonly string[] Countries = ["DE", "FR", "GB", "AT", "CH", "NL"];
    private static readonly string[] Values = ["quality", "convenience", "discounts", "perks"];

    private static readonly string[] EventColumns =
        ["message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value", "user_id", "occurred_at", "received_at", "properties"];

    private static readonly string[] OrderColumns =
        ["order_id", "kind", "customer_id", "id_kind", "id_value", "channel", "status", "placed_at", "currency", "subtotal_e4", "discount_e4", "total_e4", "source", "message_id"];

    public static string Sku(int product) => $"{Categories[product % 8]}-{product / 8}";

    public static long PriceE4(int product) => (long)(10 + (product * 7 % 90)) * 10_000;

    /// <summary>Seeds <paramref name="customers"/> customers unless the store already holds exactly that many.</summary>
    public static async Task<(long Events, long Orders)> SeedAsync(IDatabase db, StoreWriter writer, int customers, long today)
    {
        await using (var c = await db.OpenAsync())
        {
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customers") == customers)
            {
                var e = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events");
                var o = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM orders");
                Console.WriteLine($"seed: the store already holds {customers:N0} customers ({e:N0} events, {o:N0} orders)");
                return (e, o);
            }
        }

        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var random = new Random(20_261_126);
        long events = 0, orders = 0;
        await writer.WriteAsync(async unit =>
        {
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "products", ["sku", "name", "category", "price_e4", "updated_at"],
                Enumerable.Range(0, 200).Select(p => new object?[] { Sku(p), $"Product {p}", Categories[p % 8], PriceE4(p), unit.Now }));
            return 0;
        });
        // The next chunk is generated on another core while this one is inserted.
        Chunk Generate(int first)
        {
            var chunk = new Chunk();
            for (var id = first; id < Math.Min(customers + 1, first + 20_000); id++)
            {
                Customer(chunk, random, id, today);
            }

            return chunk;
        }

        var next = Task.Run(() => Generate(1));
        for (var first = 1; first <= customers; first += 20_000)
        {
            var chunk = await next;
            var following = first + 20_000;
            next = following <= customers ? Task.Run(() => Generate(following)) : Task.FromResult(new Chunk());
            events += chunk.Events.Count;
            orders += chunk.Orders.Count;
            await writer.WriteAsync(async unit =>
            {
                var (c, tx, d) = (unit.Connection, unit.Transaction, unit.Dialect);
                await d.BulkInsertAsync(c, tx, "customers", ["id", "created_at"], chunk.Customers);
                await d.BulkInsertAsync(c, tx, "identifiers", ["kind", "value", "customer_id", "first_seen_at"], chunk.Identifiers);
                await d.BulkInsertAsync(c, tx, "traits", ["customer_id", "name", "value", "source", "at"], chunk.Traits);
                await d.BulkInsertAsync(c, tx, "events", EventColumns, chunk.Events);
                await d.BulkInsertAsync(c, tx, "orders", OrderColumns, chunk.Orders);
                await d.BulkInsertAsync(c, tx, "order_lines", ["order_id", "line_no", "sku", "quantity", "unit_price_e4", "discount_e4"], chunk.Lines);
                await d.BulkInsertAsync(c, tx, "customer_value", CustomerValueSnapshot.Columns, chunk.Value);
                return 0;
            });
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"seed: {customers:N0} customers, {events:N0} events, {orders:N0} orders in {clock.Elapsed.TotalSeconds:0.0} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s CPU"));
        return (events, orders);
    }

    private static void Customer(Chunk chunk, Random random, long id, long today)
    {
        var user = $"user-{id:D8}";
        var start = (today - 730) * Day;
        chunk.Customers.Add([id, start]);
        chunk.Identifiers.Add(["user_id", user, id, start]);
        var channel = Channels[random.Next(3)];
        var favourite = random.Next(8);
        var bargains = random.NextDouble() < 0.3;
        chunk.Traits.Add([id, "country", Countries[random.Next(Countries.Length)], "web:identify", start]);
        chunk.Traits.Add([id, "newsletter", random.Next(2) == 0 ? "true" : "false", "web:identify", start]);
        chunk.Traits.Add([id, "plan", random.Next(4) == 0 ? "pro" : "free", "web:identify", start]);
        if (random.NextDouble() < 0.3)
        {
            chunk.Traits.Add([id, "values_most", bargains ? "discounts" : Values[random.Next(4)], "web:identify", start]);
        }

        var events = new List<(long At, string Type, string? Name, string Channel, string Properties)>();
        int Product() => random.NextDouble() < 0.6 ? favourite + (8 * random.Next(25)) : random.Next(200);

        var count = Math.Min(60, 1 + (int)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(0.9)));
        var last = ((today - 730) * Day) + (long)(random.NextDouble() * 730 * Day);
        long revenue = 0, discount = 0, firstAt = long.MaxValue;
        for (var o = count - 1; o >= 0; o--)
        {
            var at = Math.Max(start, last - (o * 25 * Day) - random.Next((int)Day));
            var orderId = $"o{id:D8}-{count - 1 - o:D2}";
            var discounted = random.NextDouble() < (bargains ? 0.6 : 0.1);
            var lines = 1 + random.Next(2);
            long subtotal = 0;
            var products = new StringBuilder();
            for (var l = 0; l < lines; l++)
            {
                var p = Product();
                var quantity = 1L + (random.Next(5) == 0 ? 1 : 0);
                chunk.Lines.Add([orderId, (long)l + 1, Sku(p), quantity, PriceE4(p), 0L]);
                subtotal += quantity * PriceE4(p);
                products.Append(l == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $$"""{"product_id":"{{Sku(p)}}","category":"{{Categories[p % 8]}}","price":{{PriceE4(p) / 10_000}},"quantity":{{quantity}}}""");
            }

            var off = discounted ? subtotal / 5 : 0;
            chunk.Orders.Add([orderId, "sale", id, "user_id", user, channel, "completed", at, "GBP", subtotal, off, subtotal - off, "event", $"m{orderId}"]);
            (revenue, discount, firstAt) = (revenue + subtotal - off, discount + off, Math.Min(firstAt, at));
            if (at >= (today - 365) * Day)
            {
                var coupon = discounted && random.Next(2) == 0 ? ",\"coupon\":\"SAVE20\"" : "";
                events.Add((at, "track", "Order Completed", channel == "store" ? "store" : "web",
                    string.Create(CultureInfo.InvariantCulture, $$"""{"order_id":"{{orderId}}","total":{{(subtotal - off) / 10_000}}{{coupon}},"products":[{{products}}]}""")));
            }
        }

        var cost = revenue * 6 / 10;
        chunk.Value.Add([id, (long)count, 0L, revenue, cost, discount, 0L, 0L, 0L, revenue - cost, revenue / count, firstAt, last, null, null, null, null, null, null, start]);

        for (var v = random.Next(4, 13); v > 0; v--)
        {
            var p = Product();
            var at = (today - 365) * Day + (long)(random.NextDouble() * 365 * Day);
            events.Add((at, "track", "Product Viewed", random.Next(3) == 0 ? "app" : "web", random.Next(2) == 0
                ? $$"""{"product_id":"{{Sku(p)}}","category":"{{Categories[p % 8]}}","price":{{PriceE4(p) / 10_000}}}"""
                : $$"""{"product_id":"{{Sku(p)}}","price":{{PriceE4(p) / 10_000}}}"""));
        }

        for (var a = random.Next(3); a > 0; a--)
        {
            var p = Product();
            events.Add(((today - 30) * Day + (long)(random.NextDouble() * 30 * Day), "track", "Product Added", "web",
                $$"""{"product_id":"{{Sku(p)}}","category":"{{Categories[p % 8]}}","quantity":1}"""));
        }

        for (var g = random.Next(4); g > 0; g--)
        {
            events.Add(((today - 60) * Day + (long)(random.NextDouble() * 60 * Day), "page", "Product Page", "web", "{}"));
        }

        if (random.Next(3) == 0)
        {
            events.Add(((today - 100) * Day, "track", "Promotion Viewed", "email", "{}"));
            if (bargains || random.Next(3) == 0)
            {
                events.Add(((today - 99) * Day, "track", "Promotion Clicked", "email", "{}"));
            }
        }

        events.Sort((a, b) => a.At.CompareTo(b.At));
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            chunk.Events.Add([$"e{id:D8}-{i:D3}", e.Type, e.Name, e.Channel, id, "user_id", user, user, e.At, e.At, e.Properties]);
        }
    }

    private sealed class Chunk
    {
        public List<object?[]> Customers { get; } = [];

        public List<object?[]> Identifiers { get; } = [];

        public List<object?[]> Traits { get; } = [];

        public List<object?[]> Events { get; } = [];

        public List<object?[]> Orders { get; } = [];

        public List<object?[]> Lines { get; } = [];

        public List<object?[]> Value { get; } = [];
    }
}
