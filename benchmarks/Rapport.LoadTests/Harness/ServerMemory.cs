using System.Diagnostics;
using System.Globalization;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// The server's memory at the moments a scenario names: resident set now and at its peak (VmRSS,
/// VmHWM from /proc: what the operating system charges the process, native SQLite page caches
/// included) and the managed heap from the runtime's own counters (<see cref="RuntimeCounters"/>:
/// gc-heap-size is the live objects plus the garbage not yet collected, gc-committed what the GC
/// has taken from the OS). One line per moment, and <see cref="Settle"/> to wait for start-up work.
/// </summary>
internal sealed class ServerMemory(RapportServer server) : IDisposable
{
    private readonly RuntimeCounters _counters = RuntimeCounters.Start(server.ProcessId);

    public void Print(string moment)
    {
        var (rss, peak) = server.Memory();
        // gc-heap-size and gc-committed are in MB; the generation sizes in bytes.
        string Mb(string counter, double divisor = 1) => _counters.Get(counter) is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v / divisor:N0} MB") : "?";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  memory {moment}: RSS {rss:N0} MB, peak (VmHWM) {peak:N0} MB; GC heap {Mb("gc-heap-size")}, committed {Mb("gc-committed")}, LOH {Mb("loh-size", 1e6)}, gen2 {Mb("gen-2-size", 1e6)}; load average {File.ReadAllText("/proc/loadavg").Trim()}"));
    }

    /// <summary>
    /// Waits, at most <paramref name="maxSeconds"/>, until the server used under a tenth of a core
    /// over 5 s (its start-up work, e.g. the recommender's training and the background services'
    /// first pass over the store, is done); prints how long that took.
    /// </summary>
    public async Task SettleAsync(int maxSeconds)
    {
        if (maxSeconds <= 0)
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        double share = 1;
        while (watch.Elapsed.TotalSeconds < maxSeconds)
        {
            var before = server.ProcessorTime;
            await Task.Delay(TimeSpan.FromSeconds(5));
            share = (server.ProcessorTime - before).TotalSeconds / 5;
            if (share < 0.1)
            {
                break;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  settle: {watch.Elapsed.TotalSeconds:0} s until the server used {share:P0} of a core over 5 s ({(share < 0.1 ? "idle" : $"NOT idle after --settle-max {maxSeconds}")})"));
    }

    public void Dispose() => _counters.Dispose();
}
