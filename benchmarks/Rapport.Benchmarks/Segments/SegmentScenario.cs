using System.Diagnostics;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Benchmarks.Segments;

/// <summary>
/// A load scenario (not BenchmarkDotNet): builds a SQLite store with 20 segments, seeds it, then
/// times a full recomputation and ingest batches, printing wall and CPU time so numbers taken on
/// a busy machine can still be read.
/// <c>dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- segments-scenario [customers] [events] [batches] [segment counts, e.g. 0,20]</c>
/// </summary>
public static class SegmentScenario
{
    public static async Task RunAsync(string[] args)
    {
        var customers = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var history = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var batches = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 20;
        var segmentCounts = args.Length > 4 ? args[4].Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)) : [0, 20];
        const int batch = 1000;

        foreach (var segments in segmentCounts)
        {
            await using var store = await SegmentStoreFixture.CreateAsync(segments);
            var today = SegmentSet.DayOf(UnixTime.ToStorage(TimeProvider.System.GetUtcNow()));
            await Time($"seed {customers:N0} customers, {history:N0} events", async () =>
            {
                await store.SeedAsync(customers, SegmentDatasets.Events(history, customers, today - 365, today, seed: 5));
                return 0;
            });
            GC.Collect();
            await Time($"segments={segments} recompute (first, writes memberships)", () => store.Writer.WriteAsync(unit => store.Runtime.RecomputeAsync(unit)));
            GC.Collect();
            await Time($"segments={segments} recompute (again)", () => store.Writer.WriteAsync(unit => store.Runtime.RecomputeAsync(unit, new Phases())));
            var incoming = Enumerable.Range(0, batches)
                .Select(b => SegmentStoreFixture.Incoming(SegmentDatasets.Events(batch, customers, today, today, seed: 100 + b), $"b{b}"))
                .ToArray();
            await store.Pipeline.IngestAsync(incoming[0]);
            GC.Collect(); // the recomputation's garbage is not the ingest's cost
            GC.WaitForPendingFinalizers();
            var before = store.SegmentTime;
            await Time($"segments={segments} ingest {batches - 1} x {batch} events", async () =>
            {
                foreach (var events in incoming.Skip(1))
                {
                    await store.Pipeline.IngestAsync(events);
                }

                return 0;
            });
            Console.WriteLine($"  segment step: {(store.SegmentTime - before).TotalMicroseconds / ((batches - 1) * batch):F1} us per event");
        }
    }

    /// <summary>Prints how long each phase of a recomputation took.</summary>
    private sealed class Phases : IProgress<Rapport.Core.Segments.SegmentProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string? _phase;
        private TimeSpan _start;

        public void Report(Rapport.Core.Segments.SegmentProgress value)
        {
            if (value.Phase == _phase)
            {
                return;
            }

            if (_phase is not null)
            {
                Console.WriteLine($"  {_phase}: {(_clock.Elapsed - _start).TotalSeconds:F2} s");
            }

            (_phase, _start) = (value.Phase, _clock.Elapsed);
        }
    }

    private static async Task Time<T>(string what, Func<Task<T>> run)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var result = await run();
        process.Refresh();
        Console.WriteLine($"{what}: {wall.Elapsed.TotalSeconds:F2} s wall, {(process.TotalProcessorTime - cpu).TotalSeconds:F2} s CPU{(result is Rapport.Core.Segments.MembershipResult m ? $" ({m.Customers:N0} customers, {m.Entered:N0} entered, {m.Left:N0} left)" : "")}");
    }
}
