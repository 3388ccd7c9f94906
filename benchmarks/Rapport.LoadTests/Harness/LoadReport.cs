using System.Globalization;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// What a <see cref="LoadRun"/> says, printed the same way for every scenario. Definitions:
/// <list type="bullet">
/// <item><b>latency</b>: from the request's scheduled send time to its reply read (coordinated
/// omission corrected; the number to hold against a target).</item>
/// <item><b>from send</b>: from the moment it actually left (the definition of every latency in
/// docs/performance.md before session 7).</item>
/// <item><b>server</b>: the server's own time (Server-Timing `app`: first middleware to the reply's
/// headers), so latency − server is the client, the network and Kestrel.</item>
/// <item><b>send lag</b>: how late a request left against its schedule (client timing thread or
/// waiting for a free connection).</item>
/// </list>
/// </summary>
internal static class LoadReport
{
    public static void Print(LoadRun run, TextWriter? output = null)
    {
        var o = output ?? Console.Out;
        var replied = run.Replied;
        var failed = run.Done.Count(d => d < 0);
        var missing = run.Count - replied - failed;
        o.WriteLine(F($"  {replied:N0} of {run.Count:N0} replied in {run.Elapsed:0.0} s ({replied / Math.Max(0.001, run.Elapsed):0} req/s at {run.Rate}/s asked); connection lost {failed}, no reply {missing}"));
        o.WriteLine("  | endpoint | replies by status | latency p50 / p90 / p99 / p99.9 / max ms | server p50 / p99 / p99.9 ms | from send p50 / p99 ms |");
        o.WriteLine("  |---|---|---|---|---|");
        foreach (var label in run.Requests.Select(r => r.Label).Distinct())
        {
            var mine = Enumerable.Range(0, run.Count).Where(i => run.Requests[i % run.Requests.Count].Label == label && run.Done[i] > 0).ToArray();
            var latency = Sorted(mine.Select(i => LoadRun.Ms(run.Done[i] - run.Scheduled[i])));
            var server = Sorted(mine.Select(i => (double)run.ServerMs[i]).Where(m => !double.IsNaN(m)));
            var fromSend = Sorted(mine.Select(i => LoadRun.Ms(run.Done[i] - run.Sent[i])));
            var statuses = string.Join(", ", mine.GroupBy(i => run.Status[i]).OrderBy(g => g.Key).Select(g => $"{g.Key} × {g.Count():N0}"));
            o.WriteLine(F($"  | {label} | {statuses} | {P(latency, 0.5):0.00} / {P(latency, 0.9):0.00} / {P(latency, 0.99):0.00} / {P(latency, 0.999):0.00} / {P(latency, 1):0.00} | {P(server, 0.5):0.000} / {P(server, 0.99):0.000} / {P(server, 0.999):0.000} | {P(fromSend, 0.5):0.00} / {P(fromSend, 0.99):0.00} |"));
        }

        var ok = Enumerable.Range(0, run.Count).Where(i => run.Done[i] > 0).ToArray();
        if (ok.Length == 0)
        {
            return;
        }

        var lag = Sorted(ok.Select(i => LoadRun.Ms(run.Sent[i] - run.Scheduled[i])));
        o.WriteLine(F($"  send lag p50 {P(lag, 0.5):0.000} p99 {P(lag, 0.99):0.000} p99.9 {P(lag, 0.999):0.000} max {P(lag, 1):0.000} ms"));

        // Where the slowest 1% spent their time: waiting to leave, in the server, or between (network, Kestrel, the client's reply thread).
        var all = Sorted(ok.Select(i => LoadRun.Ms(run.Done[i] - run.Scheduled[i])));
        var p99 = P(all, 0.99);
        var tail = ok.Where(i => LoadRun.Ms(run.Done[i] - run.Scheduled[i]) >= p99).ToArray();
        double Mean(Func<int, double> f) => tail.Select(f).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
        var tLatency = Mean(i => LoadRun.Ms(run.Done[i] - run.Scheduled[i]));
        var tLag = Mean(i => LoadRun.Ms(run.Sent[i] - run.Scheduled[i]));
        var tServer = Mean(i => run.ServerMs[i]);
        o.WriteLine(F($"  slowest 1% ({tail.Length:N0} requests, latency >= {p99:0.00} ms): mean {tLatency:0.00} ms = send lag {tLag:0.00} + server {tServer:0.00} + network/Kestrel/client {tLatency - tLag - tServer:0.00}"));

        var gen0 = ok.Select(i => run.ServerGen0[i]).Where(g => g >= 0).ToArray();
        if (gen0.Length > 0)
        {
            // A reply whose gen0 count is above the highest one seen when the request left: a
            // collection ended while it was out (or just before), so it may have paused it.
            var overlapped = ok.Where(i => run.ServerGen0[i] >= 0 && run.Gen0AtSend[i] >= 0 && run.ServerGen0[i] > run.Gen0AtSend[i]).ToHashSet();
            var withGc = Sorted(overlapped.Select(i => LoadRun.Ms(run.Done[i] - run.Scheduled[i])));
            o.WriteLine(F($"  server gen0 collections in the run {gen0.Max() - gen0.Min()}; requests that overlapped one {overlapped.Count:N0} (latency p50 {P(withGc, 0.5):0.00} ms), {tail.Count(overlapped.Contains)} of the slowest 1%"));
        }

        var allocated = ok.Select(i => run.ServerAllocated[i]).Where(a => a > 0).ToArray();
        if (allocated.Length > 1)
        {
            // Between the first and the last reply; background work in that window is included.
            o.WriteLine(F($"  server allocations: {(allocated.Max() - allocated.Min()) / (double)(allocated.Length - 1) / 1024:0.0} KB per request (all threads, from Server-Timing)"));
        }

        var serverCpu = run.ServerCpu is { } cpu ? F($"server {cpu.TotalSeconds:0.00} s = {cpu.TotalMilliseconds * 1000 / ok.Length:0} µs per request; ") : "";
        o.WriteLine(F($"  CPU (user+sys): {serverCpu}client {run.ClientCpu.TotalSeconds:0.00} s = {run.ClientCpu.TotalMilliseconds * 1000 / ok.Length:0} µs per request; client GCs gen0/1/2 {run.ClientGcs.Gen0}/{run.ClientGcs.Gen1}/{run.ClientGcs.Gen2}"));
        if (run.ServerSwitches is { } switches)
        {
            o.WriteLine(F($"  server context switches per request: {switches.Voluntary / (double)ok.Length:0.00} voluntary (thread hand-offs, waits), {switches.Involuntary / (double)ok.Length:0.00} involuntary (preempted)"));
        }

        o.WriteLine($"  load average {File.ReadAllText("/proc/loadavg").Trim()}; {CpuPinning.Describe}");
    }

    /// <summary>The q quantile of one endpoint's latencies (from the scheduled time), in ms.</summary>
    public static double Latency(LoadRun run, string label, double q) =>
        P(Sorted(Enumerable.Range(0, run.Count).Where(i => run.Done[i] > 0 && run.Requests[i % run.Requests.Count].Label == label).Select(i => LoadRun.Ms(run.Done[i] - run.Scheduled[i]))), q);

    private static double[] Sorted(IEnumerable<double> values) => values.Order().ToArray();

    private static double P(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
