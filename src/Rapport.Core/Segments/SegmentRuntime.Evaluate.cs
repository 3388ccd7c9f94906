using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>Evaluating many customers: one by one, or on every core for a full load or recomputation.</summary>
public sealed partial class SegmentRuntime
{
    /// <summary>Customers evaluated on every core from this many (a full load or recomputation): about a second at a million on one. Settable for tests.</summary>
    internal int EvaluateInParallelFrom { get; set; } = 50_000;

    private List<MembershipChange> EvaluateOneByOne(IEnumerable<long> customers, int today, IProgress<SegmentProgress>? progress)
    {
        var changes = new List<MembershipChange>();
        var done = 0;
        foreach (var id in customers)
        {
            if (!_customers.TryGetValue(id, out var s))
            {
                continue;
            }

            _set.Evaluate(s, today, changes);
            Schedule(s, today);
            if (++done % 100_000 == 0)
            {
                progress?.Report(new SegmentProgress("evaluating", done, _customers.Count));
            }
        }

        return changes;
    }

    /// <summary>
    /// The same on every core: conditions only read a snapshot and each snapshot is evaluated by
    /// one thread; the changes and the due days are gathered in the customers' order afterwards,
    /// so the result is the one-by-one result.
    /// </summary>
    private List<MembershipChange> EvaluateInParallel(ICollection<long> customers, int today)
    {
        var snapshots = new CustomerSnapshot?[customers.Count];
        var n = 0;
        foreach (var id in customers)
        {
            snapshots[n++] = _customers.GetValueOrDefault(id);
        }

        var changed = new MembershipChange[]?[n];
        var due = new int[n];
        Parallel.For(
            0,
            n,
            () => new List<MembershipChange>(),
            (i, _, scratch) =>
            {
                if (snapshots[i] is { } s)
                {
                    scratch.Clear();
                    _set.Evaluate(s, today, scratch);
                    changed[i] = scratch.Count > 0 ? [.. scratch] : null;
                    due[i] = _set.NextChangeDay(s, today);
                }

                return scratch;
            },
            _ => { });

        var changes = new List<MembershipChange>();
        for (var i = 0; i < n; i++)
        {
            if (snapshots[i] is { } s)
            {
                changes.AddRange(changed[i] ?? []);
                ScheduleOn(s.CustomerId, due[i]);
            }
        }

        return changes;
    }
}
