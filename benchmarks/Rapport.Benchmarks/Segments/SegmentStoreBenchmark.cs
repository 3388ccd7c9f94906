using BenchmarkDotNet.Attributes;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Benchmarks.Segments;

/// <summary>
/// Segments on a real SQLite store.
/// <list type="bullet">
/// <item><see cref="Ingest1000Events"/>: a batch of 1,000 events (60% product views, 15% adds,
/// 10% orders, 15% pages) through the real pipeline, per event, with 0 and with 20 segments;
/// the difference is what keeping memberships current costs, store included (membership rows,
/// Segment Entered/Left events, fact re-reads).</item>
/// <item><see cref="RecomputeFromStore"/>: full recomputation of 20 segments from the store
/// (load customers, fields, the window's events; evaluate; write differences).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class SegmentStoreBenchmark
{
    private const int Customers = 100_000;
    private const int HistoryEvents = 1_000_000;
    private const int Batch = 1_000;

    private SegmentStoreFixture? _store;
    private IncomingEvent[][] _batches = [];
    private int _next;
    private long _ingested;
    private TimeSpan _segmentTimeBefore;

    [Params(0, 20)]
    public int Segments { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_ingested > 0)
        {
            var perEvent = (_store!.SegmentTime - _segmentTimeBefore).TotalMicroseconds / _ingested;
            Console.WriteLine($"// Segments={Segments}: segment step {perEvent:F1} us per event over {_ingested:N0} ingested events");
        }

        _store!.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task<int> Ingest1000Events()
    {
        var result = await _store!.Pipeline.IngestAsync(_batches[_next++ % _batches.Length]);
        _ingested += result.Stored;
        return result.Stored;
    }

    [Benchmark]
    public async Task<int> RecomputeFromStore()
    {
        var result = await _store!.Writer.WriteAsync(unit => _store.Runtime.RecomputeAsync(unit));
        return result.Evaluated;
    }

    private async Task SetupAsync()
    {
        _store = await SegmentStoreFixture.CreateAsync(Segments);
        var today = SegmentSet.DayOf(UnixTime.ToStorage(TimeProvider.System.GetUtcNow()));
        await _store.SeedAsync(Customers, SegmentDatasets.Events(HistoryEvents, Customers, today - 365, today, seed: 5));
        await _store.Writer.WriteAsync(unit => _store.Runtime.RecomputeAsync(unit));

        _segmentTimeBefore = _store.SegmentTime;

        // Enough distinct batches that retried message ids never make a batch free.
        _batches = Enumerable.Range(0, 400)
            .Select(b => SegmentStoreFixture.Incoming(SegmentDatasets.Events(Batch, Customers, today, today, seed: 100 + b), $"b{b}"))
            .ToArray();
    }
}
