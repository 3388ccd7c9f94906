using BenchmarkDotNet.Attributes;
using Rapport.Engine.Segments;

namespace Rapport.Benchmarks.Segments;

/// <summary>
/// The segment part of "full recomputation of value, needs and 20 segments for 1M customers and
/// 10M orders under 60 s": counting 10M events (a year, 10 per customer) into 1M snapshots, and
/// evaluating 20 segments over the 1M snapshots. Reading the rows from the store is not included
/// (see docs/performance.md for the store side).
/// </summary>
[MemoryDiagnoser]
public class SegmentRecomputeBenchmark
{
    private const int Customers = 1_000_000;
    private const int Events = 10_000_000;
    private const int Today = 20_600;

    private readonly List<MembershipChange> _changes = new(1 << 20);
    private SegmentSet _set = SegmentSet.Empty;
    private CustomerSnapshot[] _snapshots = [];
    private (long Customer, BehaviourEvent Event)[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        _set = SegmentDatasets.Set();
        _events = SegmentDatasets.Events(Events, Customers, Today - 365, Today, seed: 3);
        _snapshots = NewSnapshots();
        Count(_snapshots);
    }

    /// <summary>10M events into 1M fresh snapshots (with their facts).</summary>
    [Benchmark]
    public int CountEventsIntoSnapshots() => Count(NewSnapshots());

    /// <summary>20 segments × 1M customers, from scratch (every membership starts empty).</summary>
    [Benchmark]
    public int Evaluate20SegmentsFor1MCustomers()
    {
        _changes.Clear();
        foreach (var s in _snapshots)
        {
            for (var i = 0; i < _set.Segments.Count; i++)
            {
                s.SetMember(i, false);
            }

            _set.Evaluate(s, Today, _changes);
        }

        return _changes.Count;
    }

    private CustomerSnapshot[] NewSnapshots()
    {
        var random = new Random(11);
        var snapshots = new CustomerSnapshot[Customers + 1];
        for (var i = 0; i <= Customers; i++)
        {
            snapshots[i] = _set.NewSnapshot(i);
            SegmentDatasets.Facts(_set, snapshots[i], random);
        }

        return snapshots;
    }

    private int Count(CustomerSnapshot[] snapshots)
    {
        var matched = 0;
        foreach (var (customer, e) in _events)
        {
            matched += _set.Apply(snapshots[customer], e, Today) ? 1 : 0;
        }

        return matched;
    }
}
