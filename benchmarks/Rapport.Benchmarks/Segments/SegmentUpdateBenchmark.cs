using BenchmarkDotNet.Attributes;
using Rapport.Engine.Segments;

namespace Rapport.Benchmarks.Segments;

/// <summary>
/// Keeping memberships current, per event, in memory: find the customer's snapshot, count the
/// event in every matching selector of 20 segments, evaluate all 20 segments against the
/// current memberships and schedule the next window expiry. Pessimistic: the runtime evaluates
/// a customer once per batch, here once per event. Target: under 50 µs per event.
/// </summary>
[MemoryDiagnoser]
public class SegmentUpdateBenchmark
{
    private const int Customers = 100_000;
    private const int EventsPerInvoke = 100_000;
    private const int Today = 20_600;

    private readonly List<MembershipChange> _changes = new(1024);
    private SegmentSet _set = SegmentSet.Empty;
    private Dictionary<long, CustomerSnapshot> _snapshots = [];
    private (long Customer, BehaviourEvent Event)[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        _set = SegmentDatasets.Set();
        var random = new Random(7);
        _snapshots = Enumerable.Range(1, Customers).ToDictionary(i => (long)i, i =>
        {
            var s = _set.NewSnapshot(i);
            SegmentDatasets.Facts(_set, s, random);
            return s;
        });

        // A year of history (about 20 events per customer), then today's events to measure.
        foreach (var (customer, e) in SegmentDatasets.Events(Customers * 20, Customers, Today - 365, Today, seed: 1))
        {
            _set.Apply(_snapshots[customer], e, Today);
        }

        foreach (var s in _snapshots.Values)
        {
            _set.Evaluate(s, Today, _changes);
        }

        _events = SegmentDatasets.Events(EventsPerInvoke, Customers, Today, Today, seed: 2);
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public long ApplyAndEvaluatePerEvent()
    {
        _changes.Clear();
        long due = 0;
        foreach (var (customer, e) in _events)
        {
            var s = _snapshots[customer];
            _set.Apply(s, e, Today);
            _set.Evaluate(s, Today, _changes);
            due += _set.NextChangeDay(s, Today);
        }

        return due + _changes.Count;
    }
}
