using System.Diagnostics;
using System.Globalization;
using Rapport.Benchmarks.Segments;
using Rapport.Benchmarks.Value;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Segments;

namespace Rapport.Benchmarks.Recompute;

/// <summary>
/// Issue 3's full recomputation in one store: customer value, needs (with the cluster refit)
/// and 20 live segments, one after the other, each timed in wall and processor time. Seeds a
/// SQLite store (deleted afterwards) through the segment fixture, so the 20 segments of
/// <see cref="SegmentDatasets"/> are defined as the server defines them: per customer about ten
/// orders (<see cref="ValuePopulation"/>: 1 + a geometric count) of 1 or 2 lines over 200
/// products in 8 categories, their customer_value row, and ten events over the last year
/// (views with categories, adds, completed orders, pages).
///
///     dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- full-recompute-scenario [--customers 100000]
/// </summary>
public static class FullRecomputeScenario
{
    private static readonly string[] Categories = ["Lamps", "Chairs", "Sofas", "Tables", "Rugs", "Beds", "Shelves", "Mirrors"];
    private static readonly string[] OrderChannels = ["web", "web", "store", "phone"];

    public static async Task<int> RunAsync(string[] args)
    {
        var customers = int.Parse(Option(args, "--customers") ?? "100000", CultureInfo.InvariantCulture);
        Console.WriteLine($"{Environment.ProcessorCount} cores; .NET {Environment.Version}; load average {LoadAverage()}");
        await using var store = await SegmentStoreFixture.CreateAsync(20);
        var today = SegmentSet.DayOf(UnixTime.ToStorage(TimeProvider.System.GetUtcNow()));
        long orders = 0;
        await Time($"seed {customers:N0} customers", async () =>
        {
            await store.SeedAsync(customers, SegmentDatasets.Events(10 * customers, customers, today - 365, today, seed: 5));
            orders = await SeedOrdersAsync(store.Writer, customers, today);
            return $"{10 * customers:N0} events, {orders:N0} orders";
        });

        var total = (Wall: TimeSpan.Zero, Cpu: TimeSpan.Zero);
        var value = new ValueRecompute(store.Writer, new ValuePopulationCache(), new ValueOptions());
        total = Add(total, await Time("value", async () =>
        {
            var s = await value.RunAsync(rebuild: false);
            return $"{s.Customers:N0} customers, {s.Changed:N0} changed";
        }));

        var models = new NeedsModelCache();
        var needs = new NeedsRecompute(
            store.Writer, new NeedsOptions(), models, new NeedsClusterFitter(store.Writer, models, store.Runtime), store.Runtime, TimeProvider.System);
        total = Add(total, await Time("needs", async () =>
        {
            var s = (await needs.TryRunAsync(new NeedsRecomputeRequest()))!;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Customers:N0} customers, {s.Changed:N0} rewritten; read+compute {s.ReadComputeSeconds:0.0} s wall {s.ReadComputeCpuSeconds:0.0} s CPU, write {s.WriteSeconds:0.0} s wall {s.WriteCpuSeconds:0.0} s CPU, clusters {s.ClusterSeconds:0.0} s wall (k={s.Clusters?.K})");
        }));

        total = Add(total, await Time("20 segments", async () =>
        {
            var m = await store.Writer.WriteAsync(unit => store.Runtime.RecomputeAsync(unit));
            return $"{m.Customers:N0} customers, {m.Entered:N0} entered, {m.Left:N0} left";
        }));

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"all three: {total.Wall.TotalSeconds:0.0} s wall, {total.Cpu.TotalSeconds:0.0} s CPU for {customers:N0} customers and {orders:N0} orders; load average {LoadAverage()}"));
        return 0;
    }

    /// <summary>Products, orders with their lines, and each customer's value row (what the order projection would have left).</summary>
    private static async Task<long> SeedOrdersAsync(StoreWriter writer, int customers, int today)
    {
        var p = ValuePopulation.Generate(customers);
        var random = new Random(20_261_126);
        var end = (long)today * SegmentDatasets.DayMs;
        var shift = end - p.LastOrderAt.Max(); // last orders spread over the two years up to today
        await writer.WriteAsync(async unit =>
        {
            var now = unit.Now;
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "products", ["sku", "name", "category", "price_e4", "updated_at"],
                Enumerable.Range(0, 200).Select(i => new object?[] { $"{Categories[i % 8]}-{i / 8}", $"Product {i}", Categories[i % 8], (long)(10 + (i % 40)) * 10_000, now }));
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customer_value", CustomerValueSnapshot.Columns,
                Enumerable.Range(0, customers).Select(i => new object?[]
                {
                    (long)(i + 1), p.Orders[i], 0L, p.NetRevenue[i], p.NetRevenue[i] - p.Margin[i], 0L, 0L, 0L, 0L, p.Margin[i],
                    p.NetRevenue[i] / p.Orders[i], p.LastOrderAt[i] + shift - (p.Orders[i] * 86_400_000L), p.LastOrderAt[i] + shift,
                    null, null, null, null, null, null, now,
                }));
            return 0;
        });

        foreach (var chunk in Enumerable.Range(0, customers).Chunk(50_000))
        {
            var orderRows = new List<object?[]>();
            var lineRows = new List<object?[]>();
            foreach (var i in chunk)
            {
                var id = (long)(i + 1);
                var user = SegmentStoreFixture.UserId(id);
                var favourite = random.Next(8);
                var each = p.NetRevenue[i] / p.Orders[i];
                for (var o = 0; o < p.Orders[i]; o++)
                {
                    var orderId = $"o{id}-{o}";
                    var discounted = random.NextDouble() < 0.2;
                    orderRows.Add([orderId, "sale", id, "user_id", user, OrderChannels[random.Next(4)], "completed",
                        p.LastOrderAt[i] + shift - (o * 20 * 86_400_000L) - random.Next(86_400_000), "GBP", each, discounted ? each / 10 : 0L, each - (discounted ? each / 10 : 0L), "event", null]);
                    var lines = 1 + random.Next(2);
                    for (var l = 0; l < lines; l++)
                    {
                        var category = random.NextDouble() < 0.6 ? favourite : random.Next(8);
                        lineRows.Add([orderId, (long)l + 1, $"{Categories[category]}-{random.Next(25)}", 1L, Math.Max(1, each / lines), 0L]);
                    }
                }
            }

            await writer.WriteAsync(async unit =>
            {
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "orders",
                    ["order_id", "kind", "customer_id", "id_kind", "id_value", "channel", "status", "placed_at", "currency", "subtotal_e4", "discount_e4", "total_e4", "source", "message_id"], orderRows);
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "order_lines", ["order_id", "line_no", "sku", "quantity", "unit_price_e4", "discount_e4"], lineRows);
                return 0;
            });
        }

        return p.TotalOrders;
    }

    private static (TimeSpan Wall, TimeSpan Cpu) Add((TimeSpan Wall, TimeSpan Cpu) a, (TimeSpan Wall, TimeSpan Cpu) b) => (a.Wall + b.Wall, a.Cpu + b.Cpu);

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> Time(string what, Func<Task<string>> run)
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await run();
        process.Refresh();
        var spent = (wall.Elapsed, process.TotalProcessorTime - cpu);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{what}: {spent.Elapsed.TotalSeconds:0.0} s wall, {spent.Item2.TotalSeconds:0.0} s CPU ({result}); load average {LoadAverage()}"));
        return spent;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
