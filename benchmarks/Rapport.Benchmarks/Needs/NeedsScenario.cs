using System.Diagnostics;
using System.Globalization;
using Dapper;
using Rapport.Core.Needs;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;
using Rapport.Storage.Postgres;
using Rapport.Storage.Sqlite;

namespace Rapport.Benchmarks.Needs;

/// <summary>
/// The full needs recomputation against a real store: every customer's needs from their events,
/// orders and traits (2,000 customers per write transaction), then the cluster fit. Seeds a
/// synthetic store first unless it already holds that many customers: per customer about 8
/// product views over 20 categories, a promotion or two for some, 1 to 6 orders of 1 to 3 lines
/// (web, store or phone; a third of web orders discounted), a stated value for 30%. Fixed seed.
///
///     dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- needs-scenario
///         [--customers 100000] [--store sqlite:PATH | postgres:Host=...;Username=...;Database=...]
/// </summary>
public static class NeedsScenario
{
    private static readonly string[] EventColumns =
        ["message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value", "anonymous_id", "user_id", "occurred_at", "received_at", "properties", "context"];

    public static async Task<int> RunAsync(string[] args)
    {
        var customers = int.Parse(Option(args, "--customers") ?? "100000", CultureInfo.InvariantCulture);
        var store = Option(args, "--store") ?? "sqlite:" + Path.Combine(Path.GetTempPath(), $"rapport-needs-scenario-{customers}.db");
        await using IDatabase db = store.StartsWith("postgres:", StringComparison.Ordinal)
            ? new PostgresDatabase(store["postgres:".Length..], createDatabaseIfMissing: true)
            : new SqliteDatabase(store.StartsWith("sqlite:", StringComparison.Ordinal) ? store["sqlite:".Length..] : store);
        await SchemaMigrator.MigrateAsync(db);
        Console.WriteLine($"store: {db.DisplayName}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");

        using var writer = new StoreWriter(db, TimeProvider.System, []);
        await SeedAsync(db, writer, customers);
        var models = new NeedsModelCache();
        var segments = new SegmentRuntime(new SnapshotLoader([]), SegmentFields.Default);
        var recompute = new NeedsRecompute(writer, new NeedsOptions(), models, new NeedsClusterFitter(writer, models, segments), segments, TimeProvider.System);
        var last = "";
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var needsCpu = TimeSpan.Zero;
        var s = (await recompute.TryRunAsync(new NeedsRecomputeRequest(), p =>
        {
            if (p.Phase == "clusters")
            {
                needsCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            }

            var step = p.Total == 0 ? p.Phase : $"{p.Phase} {p.Done * 5 / p.Total}";
            if (step != last)
            {
                Console.WriteLine($"  {p.Phase} {p.Done:N0}/{p.Total:N0}");
                last = step;
            }
        }))!;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"recompute: {s.Customers:N0} customers, {s.WithNeeds:N0} with needs, {s.Changed:N0} rewritten: needs {s.NeedsSeconds:0.0} s ({s.Customers / s.NeedsSeconds:N0} customers/s), clusters {s.ClusterSeconds:0.0} s, total {s.TotalSeconds:0.0} s wall, {cpu.TotalSeconds:0.0} s CPU (this process; the store's own work on PostgreSQL is not in it)"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  needs: read and compute {s.ReadComputeSeconds:0.0} s wall {s.ReadComputeCpuSeconds:0.0} s CPU, write {s.WriteSeconds:0.0} s wall {s.WriteCpuSeconds:0.0} s CPU; needs {needsCpu.TotalSeconds:0.0} s CPU; clusters {(cpu - needsCpu).TotalSeconds:0.0} s CPU"));
        Console.WriteLine($"load average: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
        var c = s.Clusters!;
        Console.WriteLine($"clusters: {c.Status} k={c.K}{(c.KChosen ? $" (chosen, silhouette {c.Silhouette:0.00})" : "")}: {string.Join("; ", c.Clusters.Select(x => $"{x.Label} {x.Size:N0}"))}");
        return 0;
    }

    private static async Task SeedAsync(IDatabase db, StoreWriter writer, int customers)
    {
        await using (var c = await db.OpenAsync())
        {
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customers") == customers)
            {
                Console.WriteLine($"seed: {customers:N0} customers already there");
                return;
            }
        }

        var clock = Stopwatch.StartNew();
        var random = new Random(20_261_125);
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        const long Day = 86_400_000;
        long events = 0, orders = 0;
        await writer.WriteAsync(async unit =>
        {
            var now = unit.Now;
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "products", ["sku", "name", "category", "price_e4", "updated_at"],
                Enumerable.Range(0, 200).Select(p => new object?[] { $"P{p}", $"Product {p}", $"Category {p % 20}", (long)(5 + (p % 40)) * 10_000, now }));
            foreach (var chunk in Enumerable.Range(1, customers).Chunk(20_000))
            {
                var customerRows = new List<object?[]>();
                var eventRows = new List<object?[]>();
                var orderRows = new List<object?[]>();
                var lineRows = new List<object?[]>();
                var traitRows = new List<object?[]>();
                foreach (var id in chunk)
                {
                    var kind = random.Next(3); // 0 web bargain hunter, 1 store regular, 2 mixed
                    var channel = kind switch { 0 => "web", 1 => "store", _ => random.Next(2) == 0 ? "phone" : "web" };
                    var favourite = random.Next(20);
                    customerRows.Add([(long)id, start]);
                    var user = "u" + id.ToString(CultureInfo.InvariantCulture);
                    for (var v = random.Next(4, 13); v > 0; v--)
                    {
                        var sku = random.NextDouble() < 0.6 ? favourite + (20 * random.Next(10)) : random.Next(200);
                        eventRows.Add([$"v{id}-{v}", "track", "Product Viewed", kind == 1 ? "app" : "web", (long)id, "user_id", user, null, user,
                            start + (long)(random.NextDouble() * 300 * Day), now, $"{{\"product_id\":\"P{sku}\",\"price\":10}}", null]);
                    }

                    if (kind == 0)
                    {
                        eventRows.Add([$"pv{id}", "track", "Promotion Viewed", "email", (long)id, "user_id", user, null, user, start + (100 * Day), now, "{}", null]);
                        eventRows.Add([$"pc{id}", "track", "Promotion Clicked", "email", (long)id, "user_id", user, null, user, start + (101 * Day), now, "{}", null]);
                    }

                    var n = kind == 1 ? random.Next(4, 9) : random.Next(1, 4);
                    for (var o = 0; o < n; o++)
                    {
                        var orderId = $"o{id}-{o}";
                        var discounted = kind == 0 && random.NextDouble() < 0.7;
                        orderRows.Add([orderId, "sale", (long)id, "user_id", user, channel, "completed", start + (long)((o + random.NextDouble()) * 40 * Day), "GBP",
                            100_000L, discounted ? 20_000L : 0L, discounted ? 80_000L : 100_000L, "event", null]);
                        for (var l = 0; l < 1 + random.Next(3); l++)
                        {
                            var sku = random.NextDouble() < 0.5 ? favourite : random.Next(200);
                            lineRows.Add([orderId, (long)l + 1, $"P{sku}", 1L + random.Next(3), (long)(5 + (sku % 40)) * 10_000, 0L]);
                        }
                    }

                    orders += n;
                    if (random.NextDouble() < 0.3)
                    {
                        traitRows.Add([(long)id, "values_most", new[] { "quality", "convenience", "discounts", "perks" }[kind == 0 ? 2 : random.Next(4)], "web:identify", start]);
                    }
                }

                events += eventRows.Count;
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customers", ["id", "created_at"], customerRows);
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "events", EventColumns, eventRows);
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "orders",
                    ["order_id", "kind", "customer_id", "id_kind", "id_value", "channel", "status", "placed_at", "currency", "subtotal_e4", "discount_e4", "total_e4", "source", "message_id"], orderRows);
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "order_lines", ["order_id", "line_no", "sku", "quantity", "unit_price_e4", "discount_e4"], lineRows);
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "traits", ["customer_id", "name", "value", "source", "at"], traitRows);
            }

            return 0;
        });
        Console.WriteLine($"seed: {customers:N0} customers, {events:N0} events, {orders:N0} orders ({clock.Elapsed.TotalSeconds:0.0} s)");
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
