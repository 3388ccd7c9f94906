using System.Diagnostics;
using System.Globalization;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;
using Rapport.Storage.Sqlite;

namespace Rapport.Benchmarks.Segments;

/// <summary>
/// The segment builder's sampled preview, in process on a kept store (e.g. the dashboard
/// scenario's 1M store), step by step: wall and process CPU of the draw, of each load phase and
/// of the evaluation, so the preview's cost can be read without a server's background work.
///
///     Rapport.Benchmarks preview-scenario --store PATH [--text "value.orders >= 2 and bought(last 90 days)"] [--runs 5]
/// </summary>
internal static class PreviewScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var path = Option(args, "--store") ?? throw new ArgumentException("--store PATH is required");
        var text = Option(args, "--text") ?? "value.orders >= 2 and bought(last 90 days)";
        var runs = int.Parse(Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        await using var db = new SqliteDatabase(path);
        var loader = new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts(), new Rapport.Core.Needs.NeedsFacts()]);
        var definition = SegmentDefinition.Parse(text, SegmentFields.Default).Definition ?? throw new ArgumentException($"not a definition: {text}");
        var set = SegmentSet.Compile([definition], SegmentFields.Default);
        var today = SegmentSet.DayOf(UnixTime.ToStorage(TimeProvider.System.GetUtcNow()));
        Console.WriteLine($"store {path}; \"{text}\"; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        for (var run = 0; run < runs; run++)
        {
            var line = new List<string>();
            var wall = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            void Step(string name)
            {
                var now = Process.GetCurrentProcess().TotalProcessorTime;
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {wall.Elapsed.TotalMilliseconds:0} ms wall / {(now - cpu).TotalMilliseconds:0} ms CPU"));
                wall.Restart();
                cpu = now;
            }

            await using var c = await db.OpenAsync();
            await using var tx = await c.BeginTransactionAsync();
            var draw = await SegmentEstimate.DrawAsync(c, tx, 50_000, default) ?? throw new InvalidOperationException("the store is small enough to evaluate every customer");
            Step("draw");
            var snapshots = await loader.LoadAsync(c, tx, db.Dialect, set, draw.Ids, today, new Progress<SegmentProgress>(p => { }), default);
            Step($"load {snapshots.Count:N0}");
            var matched = snapshots.Values.Count(s => set.Matches(s, 0, today));
            Step($"match {matched:N0}");
            Console.WriteLine($"run {run + 1}: " + string.Join("; ", line));
        }

        return 0;
    }

    private static string? Option(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
