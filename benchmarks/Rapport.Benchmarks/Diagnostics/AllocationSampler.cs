using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Rapport.Benchmarks.Diagnostics;

/// <summary>
/// Which types a scenario allocates most, from the runtime's own sampling: the GC raises an
/// AllocationTick event about every 100 KB allocated, naming the type of the object that crossed
/// the mark, so each event stands for ~100 KB of that type (statistically). No profiler needed:
/// `--allocations` on a scenario prints the top types at the end.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTick = 10;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private long _total;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventId != AllocationTick || e.Payload is null || e.PayloadNames is null)
        {
            return;
        }

        var name = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a], CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(name, amount, (_, v) => v + amount);
        Interlocked.Add(ref _total, amount);
    }

    /// <summary>The top types by sampled bytes, one line each.</summary>
    public string Report(int top = 20)
    {
        var total = Math.Max(1, Interlocked.Read(ref _total));
        var lines = _bytes.OrderByDescending(p => p.Value).Take(top)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"  {p.Value / 1e6,9:N0} MB {100.0 * p.Value / total,5:0.0}%  {p.Key}"));
        return $"allocations sampled: {total / 1e6:N0} MB\n{string.Join('\n', lines)}";
    }
}
