using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Hosting;
using Rapport.Storage.Sqlite;

namespace Rapport.LoadTests.Ingest;

/// <summary>
/// The ingest path without HTTP, in this process, to see where the time goes: parsing the same
/// /v1/batch bodies the server gets, then writing them through the real pipeline (identity,
/// projections, group commit) on a fresh SQLite file. Reports processor time per event for
/// each half, which stays meaningful on a busy machine where wall time does not.
/// </summary>
internal static class PipelineScenario
{
    public static async Task<int> RunAsync(IngestOptions o)
    {
        var dir = o.Directory ?? Path.Combine(Path.GetTempPath(), $"rapport-pipeline-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var store = Path.Combine(dir, "pipeline.db");
        foreach (var f in Directory.GetFiles(dir, "pipeline.db*"))
        {
            File.Delete(f);
        }

        var batches = TrackEventGenerator.Generate(o.Events, o.Customers, o.BatchSize);
        Console.WriteLine($"Rapport pipeline (no HTTP): {o.Events:N0} track events, {o.Customers:N0} customers, batches of {o.BatchSize}");

        var gc = GcSnapshot.Take();
        var cpu = ProcessorTime();
        var watch = Stopwatch.StartNew();
        var parsed = new List<IReadOnlyList<IncomingEvent>>(batches.Count);
        var receivedAt = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        foreach (var b in batches)
        {
            var body = JsonDocument.Parse(b.Body, SegmentMessageParser.DocumentOptions);
            var (events, errors) = SegmentMessageParser.ParseBatch(body.RootElement, receivedAt, 32 * 1024)!.Value;
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"{errors[0].Path}: {errors[0].Message}");
            }

            parsed.Add(events);
        }

        Report("parse", o.Events, watch.Elapsed, ProcessorTime() - cpu, gc);

        await using var db = new SqliteDatabase(store);
        await SchemaMigrator.MigrateAsync(db);

        // The server's own object graph, so every projection the server runs runs here too.
        var graph = new ServiceCollection().AddRapport(db, TimeProvider.System);
        var stages = StageTimings.Install(graph);
        await using var services = graph.BuildServiceProvider();
        var pipeline = services.GetRequiredService<EventPipeline>();
        await using (pipeline)
        {
            gc = GcSnapshot.Take();
            cpu = ProcessorTime();
            watch.Restart();
            var next = -1;

            // The needs refresher runs beside ingestion as in the server (NeedsRefreshService).
            var refresher = services.GetRequiredService<NeedsRefresher>();
            using var ingesting = new CancellationTokenSource();
            var refreshing = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        await refresher.WaitForWorkAsync(ingesting.Token);
                        await Task.Delay(services.GetRequiredService<NeedsOptions>().Linger, ingesting.Token);
                        await refresher.DrainAsync(ingesting.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Ingestion is over; the rest is drained below.
                }
            });
            await Task.WhenAll(Enumerable.Range(0, o.Senders).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < parsed.Count)
                {
                    await pipeline.IngestAsync(parsed[i]);
                }
            })));
            Report("write", o.Events, watch.Elapsed, ProcessorTime() - cpu, gc);
            Console.WriteLine("  of which (writer time; the rest is identity, the events insert, commits and the linger):");
            stages.Print(o.Events);
            await ingesting.CancelAsync();
            await refreshing;
            await refresher.DrainAsync();
            Report("write + needs refreshed", o.Events, watch.Elapsed, ProcessorTime() - cpu, gc);
        }

        var (rows, ddl) = await RawSqliteInsert.ReadEventsAsync(store);
        var raw = Path.Combine(dir, "pipeline-raw.db");
        foreach (var f in Directory.GetFiles(dir, "pipeline-raw.db*"))
        {
            File.Delete(f);
        }

        gc = GcSnapshot.Take();
        cpu = ProcessorTime();
        var rawElapsed = RawSqliteInsert.InsertPositional(raw, ddl, rows);
        Report("raw insert", rows.Count, rawElapsed, ProcessorTime() - cpu, gc);
        return 0;
    }

    private static void Report(string what, int events, TimeSpan wall, TimeSpan cpu, GcSnapshot before)
    {
        var after = GcSnapshot.Take();
        Console.WriteLine(
            $"  {what}: {events / wall.TotalSeconds,9:N0} events/s, {cpu.TotalMicroseconds / events,6:N1} µs CPU/event, " +
            $"{(after.Allocated - before.Allocated) / (double)events / 1024,5:N1} KB allocated/event, " +
            $"GC {after.Gen0 - before.Gen0}/{after.Gen1 - before.Gen1}/{after.Gen2 - before.Gen2} (gen0/1/2), paused {(after.Pause - before.Pause).TotalMilliseconds:N0} ms");
    }

    private static TimeSpan ProcessorTime()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }

    private readonly record struct GcSnapshot(long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Pause)
    {
        public static GcSnapshot Take() => new(
            GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
    }
}
