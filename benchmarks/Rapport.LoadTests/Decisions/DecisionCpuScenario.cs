using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Actions;
using Rapport.Core.Consent;
using Rapport.Core.Recommendations;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;
using Rapport.Hosting;
using Rapport.Storage.Sqlite;

namespace Rapport.LoadTests.Decisions;

/// <summary>
/// CPU per next-best-action decision without HTTP, in one process over the store the `decisions`
/// scenario seeded (run that once with --seed-only): the host's real object graph (no hosted
/// services, so nothing runs in the background), the recommender's first model awaited, then
/// --requests decisions each, --concurrency at a time (so they group-commit as under HTTP load):
/// an engine without the cache (every read from the store, as before the cache), the cached
/// engine on customers it has never seen (a miss: read and cache), and the cached engine on
/// --hot returning customers warmed once (served from memory; the write remains). Reports CPU
/// (process user + sys) and wall time per decision, and the managed heap the cache holds per
/// customer.
///
///     Rapport.LoadTests nbacpu [--customers 100000] [--products 5000] [--events 1000000]
///         [--requests 3000] [--concurrency 16] [--hot 20000] [--dir PATH] [--warm-only]
///
/// --warm-only skips the two uncached rows (for profiling the warm path with perf: the row is
/// then the only work after warming).
/// </summary>
internal static class DecisionCpuScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var size = new SeedSize(Int(args, "--customers", 100_000), Int(args, "--products", 5_000), Int(args, "--events", 1_000_000));
        int requests = Int(args, "--requests", 3_000), concurrency = Int(args, "--concurrency", 16), hot = Int(args, "--hot", 20_000);
        var dir = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "rapport-decisions-load");
        var marker = Path.Combine(dir, "seeded.txt");
        if (!File.Exists(marker) || File.ReadAllText(marker) != size.ToString())
        {
            Console.Error.WriteLine($"No store of {size} in {dir}: run `decisions ... --seed-only` with the same sizes first.");
            return 2;
        }

        await using var sqlite = new SqliteDatabase(Path.Combine(dir, "decisions.db"));
        // --cache-kib N: every connection's SQLite page cache set to N KiB after the store's own
        // settings (an experiment on what the commit's page-cache truncation costs).
        IDatabase db = Option(args, "--cache-kib") is { } kib ? new CacheSized(sqlite, int.Parse(kib, CultureInfo.InvariantCulture)) : sqlite;
        await SchemaMigrator.MigrateAsync(db);
        var app = RapportApp.Build(db, TimeProvider.System, "http://127.0.0.1:0");
        var sp = app.Services;
        var catalog = sp.GetRequiredService<ActionCatalog>();
        if ((await catalog.ListAsync()).Count == 0)
        {
            foreach (var json in DecisionScenario.Actions)
            {
                var (action, errors) = ActionDefinitionParser.Parse((JsonObject)JsonNode.Parse(json)!, 0, _ => true, SegmentFields.Default);
                await catalog.CreateAsync(action ?? throw new InvalidOperationException(string.Join("; ", errors)));
            }
        }

        var watch = Stopwatch.StartNew();
        await sp.GetRequiredService<Recommender>().CurrentAsync();
        Console.WriteLine($"nbacpu: {size}; first model in {watch.Elapsed.TotalSeconds:0} s; {requests:N0} decisions per row, {concurrency} at a time; load average {Load()}");

        var cached = sp.GetRequiredService<NextBestActionEngine>();
        var cache = sp.GetRequiredService<DecisionFactsCache>();
        var uncached = new NextBestActionEngine(db, sp.GetRequiredService<StoreWriter>(), catalog, sp.GetRequiredService<ContactPolicy>(),
            sp.GetRequiredService<SnapshotLoader>(), sp.GetRequiredService<IProductSuggestions>(), TimeProvider.System,
            sp.GetRequiredService<Rapport.Core.Loyalty.ReciprocityQueries>(), cache: null);

        // Customers by range, so the rows do not share customers: hot 1..H, cold after it.
        var random = new Random(7);
        long Any(int from, int to) => from + random.Next(to - from);
        await RunAsync(uncached, 300, concurrency, () => Any(hot + 1, size.Customers)); // JIT and pools, both paths
        await RunAsync(cached, 300, concurrency, () => Any(hot + 1, size.Customers));

        Console.WriteLine("| engine | customers | decisions | CPU per decision | wall per decision | load average |");
        Console.WriteLine("|---|---|---|---|---|---|");
        if (!args.Contains("--warm-only"))
        {
            await RowAsync("without cache (before)", "random, not returning", uncached, requests, concurrency, () => Any(hot + 1, size.Customers));
            await RowAsync("cached, miss", "first visits", cached, requests, concurrency, () => Any(hot + 1, size.Customers));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var (read, write) = (cache.ReadCount, cache.WriteCount);
        var next = 0;
        await RunAsync(cached, hot, concurrency, () => Interlocked.Increment(ref next));
        GC.Collect();
        var perCustomer = (GC.GetTotalMemory(forceFullCollection: true) - heap) / (double)Math.Max(1, cache.ReadCount - read);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(warmed {hot:N0} returning customers: +{cache.ReadCount - read:N0} read and +{cache.WriteCount - write:N0} write entries, managed heap +{perCustomer:0} bytes per customer, both sides)"));
        Console.Out.Flush();
        await RowAsync("cached, warm", $"{hot:N0} returning", cached, requests, concurrency, () => Any(1, hot + 1));
        return 0;
    }

    private static async Task RowAsync(string name, string customers, NextBestActionEngine engine, int n, int concurrency, Func<long> customer)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await RunAsync(engine, n, concurrency, customer);
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {customers} | {n:N0} | {used.TotalMilliseconds / n:0.000} ms | {watch.Elapsed.TotalMilliseconds / n:0.000} ms | {Load()} |"));
    }

    private static Task RunAsync(NextBestActionEngine engine, int n, int concurrency, Func<long> customer)
    {
        var left = n;
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                long id;
                lock (engine)
                {
                    id = customer();
                }

                if (await engine.DecideAsync(id, "web", "home", 3) is null)
                {
                    throw new InvalidOperationException($"customer {id} unknown");
                }
            }
        })));
    }

    private static string Load() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static int Int(string[] args, string name, int fallback) =>
        Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed class CacheSized(SqliteDatabase inner, int kib) : IDatabase
    {
        public SqlDialect Dialect => inner.Dialect;

        public string DisplayName => inner.DisplayName;

        public async Task<System.Data.Common.DbConnection> OpenAsync(CancellationToken cancellationToken = default)
        {
            var connection = await inner.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA cache_size=-{kib};";
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
