using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Hosting;
using Rapport.Storage.Sqlite;

namespace Rapport.LoadTests.Dashboard;

/// <summary>
/// The dashboard at scale: seeds a SQLite store by bulk insert (<see cref="StoreSeed"/>,
/// <see cref="RelationshipSeed"/>, <see cref="PopulationSeed"/>, then the real value
/// recomputation once), keeps it for the next run (skipped when the file's marker names the same
/// sizes), then starts the real `rapport serve` on it and times every dashboard page
/// (<see cref="DashboardPages"/>): server time from the Server-Timing header, the server's CPU
/// per view, the first view after start and warm views, and the server's memory.
///
///     Rapport.LoadTests dashboard [--customers 100000] [--products 50000] [--runs 5] [--store PATH] [--seed-only] [--no-warm] [--only NAME-PART]
/// </summary>
internal static class DashboardScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var size = new DashboardSize(Arg(args, "--customers", 100_000), Arg(args, "--products", 50_000));
        var store = Option(args, "--store") ?? Path.Combine(Path.GetTempPath(), $"rapport-dash-{size.Customers}.db");
        await EnsureSeededAsync(store, size);
        if (args.Contains("--seed-only"))
        {
            return 0;
        }

        await DashboardPages.MeasureAsync(store, size, Arg(args, "--runs", 5), warm: !args.Contains("--no-warm"), only: Option(args, "--only"));
        return 0;
    }

    private static async Task EnsureSeededAsync(string store, DashboardSize size)
    {
        var marker = store + ".seeded";
        if (File.Exists(marker) && await File.ReadAllTextAsync(marker) == size.ToString())
        {
            Console.WriteLine($"reusing {store} ({size}; {new FileInfo(store).Length / 1e9:0.00} GB)");
            return;
        }

        foreach (var file in new[] { store, store + "-wal", store + "-shm", marker })
        {
            File.Delete(file);
        }

        Console.WriteLine($"seeding {store}: {size}; load average {Load()}");
        var total = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        SqlDialect dialect;
        await using (var db = new SqliteDatabase(store))
        {
            await SchemaMigrator.MigrateAsync(db);
            dialect = db.Dialect;
        }

        await using (var bulk = await BulkStore.OpenAsync(store, dialect))
        {
            await bulk.DropIndexesAsync(
                "orders", "order_lines", "events", "identifiers", "traits", "customer_search", "customer_needs", "customer_affinity", "customer_channels",
                "consent_ledger", "decisions", "journey_enrolments", "journey_steps");
            await Timed("customers, products, orders, views", () => StoreSeed.SeedAsync(bulk, size, line => Console.WriteLine("      " + line)));
            var events = await Timed("funnel events, actions, decisions, a journey", () => RelationshipSeed.SeedAsync(bulk));
            Console.WriteLine($"      {events:N0} funnel events");
            var answers = await Timed("needs rows and consent answers", () => PopulationSeed.SeedAsync(bulk));
            Console.WriteLine($"      {answers:N0} consent answers");
            await Timed("indexes built", async () =>
            {
                await bulk.FinishAsync();
                return 0;
            });
        }

        await using (var db = new SqliteDatabase(store))
        {
            // The value rows the way the product computes them: its full rebuild from the orders, once.
            await using var app = RapportApp.Build(db, TimeProvider.System, "http://127.0.0.1:0", _ => { });
            var summary = await Timed("value rebuild (ValueRecompute, rebuild: true)", () => app.Services.GetRequiredService<ValueRecompute>().RunAsync(rebuild: true));
            Console.WriteLine($"      {summary.Customers:N0} value rows, {summary.Buyers:N0} buyers");
        }

        await File.WriteAllTextAsync(marker, size.ToString());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeded in {total.Elapsed.TotalSeconds:0} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0} s CPU; {new FileInfo(store).Length / 1e9:0.00} GB; load average {Load()}"));
    }

    public static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static async Task<T> Timed<T>(string what, Func<Task<T>> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await run();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {watch.Elapsed.TotalSeconds:0.0} s (process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s)"));
        return result;
    }

    private static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static int Arg(string[] args, string name, int fallback) =>
        Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
