using System.Diagnostics;
using System.Globalization;
using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Needs;
using Rapport.Core.Recompute;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Segments;
using Rapport.Storage.Sqlite;

namespace Rapport.Benchmarks.Recompute;

/// <summary>
/// Issue 3's "full recomputation of value, needs and 20 segments" on one SQLite store kept
/// between runs: customer value, needs with the cluster refit, then the 20 segments of
/// <see cref="Definitions"/> (behaviour in windows, value, needs, traits, predictions), each timed
/// in wall and processor time (SQLite runs in this process, so its work is in the CPU figure).
/// The store is seeded by <see cref="RecomputeSeed"/> on the first run; later runs reuse it, and
/// find nothing to rewrite unless <c>--reset</c> drops the computed needs and value scores first
/// (so those two rewrite every customer, as a first recomputation does, and segments follow).
///
///     dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- recompute-scenario
///         [--customers 50000] [--store sqlite:PATH] [--reset] [--parts value,needs,segments] [--sequential] [--allocations] [--warm]
///
/// With all three parts (the default) the run is <see cref="FullRecompute"/>, as `rapport recompute`
/// and POST /v1/recompute run it: value and needs side by side (they read and write different
/// tables), then the segments. --sequential or fewer parts time each on its own. --warm reads the
/// store's file through first, so the page cache holds it (see <see cref="Diagnostics.PageCacheWarmer"/>).
/// </summary>
public static class RecomputeScenario
{
    public static readonly string[] Definitions =
    [
        "count(track \"Order Completed\", last 90 days) >= 2",
        "viewed(category = \"Lamps\", last 7 days) and not bought(category = \"Lamps\", last 7 days)",
        "prediction.p_alive < 0.3 and prediction.clv_percentile >= 0.8",
        "value.revenue >= 1000",
        "value.tier = \"gold\"",
        "value.rfm_r >= 4 and value.rfm_f >= 4",
        "traits.plan = \"pro\" and value.revenue_percentile >= 0.5",
        "traits.country in (\"DE\", \"AT\", \"CH\")",
        "needs.price_sensitivity >= 0.4",
        "needs.affinity.Lamps >= 0.4 and not bought(category = \"Lamps\", last 90 days)",
        "needs.channel.store >= 0.5 and value.orders >= 3",
        "needs.values_most = \"quality\" and value.margin_percentile >= 0.5",
        "count(page, last 30 days) >= 2",
        "added(last 3 days) and not bought(last 3 days)",
        "count(track \"Product Viewed\", category = \"Chairs\", last 30 days) >= 1",
        "bought(category = \"Chairs\", last 180 days)",
        "count(track \"Order Completed\", total >= 200, last 365 days) >= 1",
        "traits.newsletter = true and not viewed(last 14 days)",
        "needs.top_category = \"Sofas\" or viewed(category = \"Sofas\", last 7 days)",
        "not bought(last 365 days) and value.orders >= 1",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var customers = int.Parse(Option(args, "--customers") ?? "50000", CultureInfo.InvariantCulture);
        var path = Option(args, "--store") is { } s ? s.StartsWith("sqlite:", StringComparison.Ordinal) ? s["sqlite:".Length..] : s
            : Path.Combine(Path.GetTempPath(), $"rapport-recompute-{customers}.db");
        var parts = (Option(args, "--parts") ?? "value,needs,segments").Split(',');
        using var allocations = args.Contains("--allocations") ? new Diagnostics.AllocationSampler() : null;
        Console.WriteLine($"store: sqlite:{path}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; load average {LoadAverage()}");

        if (args.Contains("--warm") && File.Exists(path))
        {
            Console.WriteLine(Diagnostics.PageCacheWarmer.Warm(path));
        }

        await using var db = new SqliteDatabase(path);
        Console.WriteLine("SQLite: serialized, bulk readers without the per-call mutex");
        await SchemaMigrator.MigrateAsync(db);
        var loader = new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts(), new NeedsFacts()]);
        var runtime = new SegmentRuntime(loader, SegmentFields.Default);
        var projection = new SegmentProjection(runtime);
        var events = new EventWriter(new IdentityResolver(), [new TraitsProjection(), new OrderProjection(), new CartProjection(), projection]);
        using var writer = new StoreWriter(db, TimeProvider.System, [new CustomerStateRebuilder(events), projection]);
        await DefineSegmentsAsync(db, writer, runtime, loader);

        var today = UnixTime.ToStorage(TimeProvider.System.GetUtcNow()) / RecomputeSeed.Day;
        var (eventCount, orders) = await RecomputeSeed.SeedAsync(db, writer, customers, today);
        if (args.Contains("--reset"))
        {
            await ResetAsync(writer);
        }

        // As in a running server, live segments are in memory before anything is recomputed
        // (otherwise the needs step's first write would pay for loading them): a first segment
        // recomputation, reported but not counted.
        await Time("segments loaded (not counted)", async () =>
        {
            var m = await writer.WriteAsync(unit => runtime.RecomputeAsync(unit));
            return $"{m.Customers:N0} customers, {m.Entered:N0} entered, {m.Left:N0} left";
        });

        var total = (Wall: TimeSpan.Zero, Cpu: TimeSpan.Zero);
        var valueStep = new ValueRecompute(writer, new ValuePopulationCache(), new ValueOptions());
        async Task<string> Value()
        {
            var r = await valueStep.RunAsync(rebuild: false);
            return $"value: {r.Customers:N0} customers, {r.Changed:N0} changed";
        }

        var models = new NeedsModelCache();
        var needsStep = new NeedsRecompute(writer, new NeedsOptions(), models, new NeedsClusterFitter(writer, models, runtime), runtime, TimeProvider.System);
        async Task<string> Needs()
        {
            var r = (await needsStep.TryRunAsync(new NeedsRecomputeRequest()))!;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"needs: {r.Customers:N0} customers, {r.Changed:N0} rewritten; read+compute {r.ReadComputeSeconds:0.0} s wall {r.ReadComputeCpuSeconds:0.0} s CPU, write {r.WriteSeconds:0.0} s wall {r.WriteCpuSeconds:0.0} s CPU, clusters {r.ClusterSeconds:0.0} s wall (fit {r.Clusters?.Seconds:0.0} s, k={r.Clusters?.K}, {r.Clusters?.Rewritten:N0} cluster numbers moved)");
        }

        if (parts.Contains("value") && parts.Contains("needs") && parts.Contains("segments") && !args.Contains("--sequential"))
        {
            // What `rapport recompute` and POST /v1/recompute run: value and needs side by side, then
            // the segments (a job, as the server runs it: events counted on a second connection).
            var full = new FullRecompute(valueStep, needsStep, new SegmentJobs(writer, runtime, TimeProvider.System));
            total = Add(total, await Time("full recomputation", async () =>
            {
                var r = (await full.TryRunAsync())!;
                var n = r.Needs!;
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"value and needs {r.ValueAndNeedsSeconds:0.0} s: needs read+compute {n.ReadComputeSeconds:0.0} s wall {n.ReadComputeCpuSeconds:0.0} s CPU, clusters {n.ClusterSeconds:0.0} s (fit {n.Clusters?.Seconds:0.0} s); 20 segments {r.SegmentSeconds:0.0} s: {r.Segments.Customers:N0} customers, {r.Segments.Entered:N0} entered, {r.Segments.Left:N0} left");
            }));
        }
        else if (parts.Contains("value") && parts.Contains("needs") && !args.Contains("--sequential"))
        {
            // Value reads customer_value, needs the histories: independent of each other, so side
            // by side (the single writer interleaves their transactions).
            total = Add(total, await Time("value and needs side by side", async () => string.Join("; ", await Task.WhenAll(Task.Run(Value), Task.Run(Needs)))));
        }
        else
        {
            if (parts.Contains("value"))
            {
                total = Add(total, await Time("value", Value));
            }

            if (parts.Contains("needs"))
            {
                total = Add(total, await Time("needs", Needs));
            }
        }

        if (parts.Contains("segments") && !(parts.Contains("value") && parts.Contains("needs") && !args.Contains("--sequential")))
        {
            total = Add(total, await Time("20 segments", async () =>
            {
                // As SegmentJobs runs it: events counted on a second connection while fields load.
                var phases = new PhaseLog();
                var m = await writer.WriteAsync(unit => runtime.RecomputeAsync(unit, phases, readers: db));
                return $"{m.Customers:N0} customers, {m.Entered:N0} entered, {m.Left:N0} left; phases {phases}";
            }));
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"all: {total.Wall.TotalSeconds:0.0} s wall, {total.Cpu.TotalSeconds:0.0} s CPU for {customers:N0} customers, {orders:N0} orders, {eventCount:N0} events; load average {LoadAverage()}"));
        if (allocations is not null)
        {
            Console.WriteLine(allocations.Report());
        }

        return 0;
    }

    /// <summary>The 20 segments, defined once per store (a new store is empty, so defining them costs nothing).</summary>
    private static async Task DefineSegmentsAsync(SqliteDatabase db, StoreWriter writer, SegmentRuntime runtime, SnapshotLoader loader)
    {
        await using (var c = await db.OpenAsync())
        {
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM segments") > 0)
            {
                return;
            }
        }

        var service = new SegmentService(db, writer, runtime, loader, new SegmentJobs(writer, runtime, TimeProvider.System), SegmentFields.Default, TimeProvider.System);
        for (var i = 0; i < Definitions.Length; i++)
        {
            var parsed = SegmentDefinition.Parse(Definitions[i], SegmentFields.Default);
            var definition = parsed.Definition ?? throw new InvalidOperationException($"{Definitions[i]}: {string.Join("; ", parsed.Errors.Select(e => e.Reason))}");
            var created = await service.CreateAsync($"segment {i + 1}", definition);
            await created!.Value.Job.Completion;
        }
    }

    /// <summary>Drops what the three recomputations write, so the next run writes everything again.</summary>
    private static Task ResetAsync(StoreWriter writer) => writer.WriteAsync(async unit =>
    {
        foreach (var sql in new[]
        {
            "DELETE FROM customer_needs", "DELETE FROM customer_affinity", "DELETE FROM customer_channels", "DELETE FROM customer_cadence",
            "UPDATE customer_value SET rfm_r = NULL, rfm_f = NULL, rfm_m = NULL, tier = NULL, revenue_percentile = NULL, margin_percentile = NULL",
        })
        {
            await unit.Connection.ExecuteAsync(sql, transaction: unit.Transaction);
        }

        Console.WriteLine("reset: computed needs and value scores dropped");
        return 0;
    });

    private static (TimeSpan Wall, TimeSpan Cpu) Add((TimeSpan Wall, TimeSpan Cpu) a, (TimeSpan Wall, TimeSpan Cpu) b) => (a.Wall + b.Wall, a.Cpu + b.Cpu);

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> Time(string what, Func<Task<string>> run)
    {
        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var paused = GC.GetTotalPauseDuration();
        var wall = Stopwatch.StartNew();
        var result = await run();
        var spent = (wall.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);

        // Allocations do not depend on the box's load, unlike CPU time: the steadier A/B measure.
        var mb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{what}: {spent.Elapsed.TotalSeconds:0.0} s wall, {spent.Item2.TotalSeconds:0.0} s CPU, {mb:N0} MB allocated, {GC.CollectionCount(0) - collections.Item1} gen-0 collections ({GC.CollectionCount(1) - collections.Item2} gen-1, {GC.CollectionCount(2) - collections.Item3} gen-2), GC pauses {(GC.GetTotalPauseDuration() - paused).TotalSeconds:0.0} s ({result}); load average {LoadAverage()}"));
        return spent;
    }

    /// <summary>When each phase of a segment recomputation was first and last reported (seconds from the start).</summary>
    private sealed class PhaseLog : IProgress<SegmentProgress>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly Dictionary<string, (double First, double Last)> _phases = [];

        public void Report(SegmentProgress value)
        {
            lock (_phases)
            {
                var now = _watch.Elapsed.TotalSeconds;
                _phases[value.Phase] = _phases.TryGetValue(value.Phase, out var p) ? (p.First, now) : (now, now);
            }
        }

        public override string ToString() =>
            string.Join(", ", _phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value.First:0.0}-{p.Value.Last:0.0} s")));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
