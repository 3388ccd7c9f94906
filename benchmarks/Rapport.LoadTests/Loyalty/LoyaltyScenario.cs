using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Rapport.LoadTests.Loyalty;

/// <summary>
/// Earning and redemption through the API at a fixed rate (issue 6: under 1 ms p99 at 1,000
/// requests/s). Starts the real `rapport serve` on a fresh SQLite store on loopback, creates
/// --customers customers through /v1/batch, then sends --seconds × --rate requests open-loop
/// (each started at its scheduled time, whether or not earlier ones finished), alternating
/// POST .../loyalty/earn (10 points) and .../loyalty/redeem (5 points) over the customers, and
/// prints the achieved rate, the replies counted by status and latency percentiles measured at
/// the client. Before the timed run every customer earns enough points for all its redemptions
/// (a redemption sent 1 ms after its customer's earning may reach the server first, and would
/// otherwise get 409 "not enough points" for a race of the scenario's own making); that also
/// warms the server up; then --warmup seconds (default 10) of the same mix, not measured. Bounded: it stops after the scheduled requests and waits at most 30 s
/// for the last replies. --mix health sends GET /health instead (the floor of this box, server
/// and client included); the client's own send lag (how late a request left against its
/// schedule) and its garbage collections are printed so the generator can be told apart from
/// the server. Server runtime settings: LOADTEST_SERVER_ENV (RapportServer).
///
///     Rapport.LoadTests loyalty [--rate 1000] [--seconds 20] [--customers 1000] [--warmup 10] [--mix earn,redeem|health]
/// </summary>
internal static class LoyaltyScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rate = int.Parse(Option(args, "--rate") ?? "1000", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Option(args, "--seconds") ?? "20", CultureInfo.InvariantCulture);
        var customers = int.Parse(Option(args, "--customers") ?? "1000", CultureInfo.InvariantCulture);
        var health = Option(args, "--mix") == "health";
        var dir = Path.Combine(Path.GetTempPath(), $"rapport-loyalty-load-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var store = Path.Combine(dir, "loyalty.db");
        var write = await RapportServer.CreateKeyAsync(store, "write");
        var admin = await RapportServer.CreateKeyAsync(store, "admin");
        await using var server = await RapportServer.StartAsync(store);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = 256 })
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        Console.WriteLine($"Rapport loyalty: {rate} req/s for {seconds} s over {customers:N0} customers; {Environment.ProcessorCount} cores; server {server.Address}");

        var ids = await CreateCustomersAsync(http, write, admin, customers);
        http.DefaultRequestHeaders.Authorization = Basic(admin);
        var total = rate * seconds;
        var warmup = rate * int.Parse(Option(args, "--warmup") ?? "10", CultureInfo.InvariantCulture);
        var redemptionsPerCustomer = ((total + warmup) / 2 + ids.Count - 1) / ids.Count;
        await FundAsync(http, ids, 5 * redemptionsPerCustomer + 100);

        // The same mix at the same rate, not measured: until the JIT's second tier has compiled
        // the hot paths (tiered compilation and PGO), a fresh server spends most of its CPU in
        // the JIT's background thread (docs/performance.md, "Session 6: loyalty").
        await DriveAsync(warmup, 0);
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var cpuBefore = server.ProcessorTime;
        var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (latencies, lags, statuses, elapsed) = await DriveAsync(total, warmup);

        async Task<(double[] Latencies, double[] Lags, ConcurrentDictionary<string, int> Statuses, double Elapsed)> DriveAsync(int count, int offset)
        {
            var latencies = new double[count];
            var lags = new double[count];
            var statuses = new ConcurrentDictionary<string, int>();
            var tasks = new List<Task>(count);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait);
                }

                var n = i;
                tasks.Add(Task.Run(async () =>
                {
                    var customer = ids[(n + offset) / 2 % ids.Count];
                    var kind = health ? "health" : n % 2 == 0 ? "earn" : "redeem";
                    var body = n % 2 == 0 ? "{\"points\": 10}" : "{\"points\": 5}";
                    var started = Stopwatch.GetTimestamp();
                    lags[n] = (clock.Elapsed - due).TotalMilliseconds;
                    string status;
                    try
                    {
                        using var response = health
                            ? await http.GetAsync("/health")
                            : await http.PostAsync($"/v1/customers/{customer}/loyalty/{kind}", new StringContent(body, Encoding.UTF8, "application/json"));
                        latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        status = $"{kind} {(int)response.StatusCode}";
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        status = $"{kind} no reply ({e.GetType().Name})";
                    }

                    statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                }));
            }

            await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(30)));
            return (latencies, lags, statuses, clock.Elapsed.TotalSeconds);
        }

        var done = latencies.Where(l => l > 0).Order().ToArray();
        double P(double q) => done.Length == 0 ? double.NaN : done[Math.Min(done.Length - 1, (int)Math.Ceiling(q * done.Length) - 1)];
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {done.Length:N0} of {total:N0} requests in {elapsed:0.0} s ({done.Length / elapsed:0} req/s); latency ms p50 {P(0.5):0.00} p95 {P(0.95):0.00} p99 {P(0.99):0.00} max {done.LastOrDefault():0.00}"));
        Console.WriteLine("  replies: " + string.Join(", ", statuses.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} × {p.Value:N0}")));
        var cpu = server.ProcessorTime - cpuBefore;
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  CPU (user+sys) in the timed run: server {cpu.TotalSeconds:0.00} s = {cpu.TotalMilliseconds * 1000 / Math.Max(1, done.Length):0} µs per request; this client {clientCpu.TotalSeconds:0.00} s"));
        var lag = lags.Order().ToArray();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  client send lag ms p50 {lag[lag.Length / 2]:0.00} p99 {lag[Math.Max(0, (int)(lag.Length * 0.99) - 1)]:0.00} max {lag[^1]:0.00}; client GCs gen0/1/2 {GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}"));
        Console.WriteLine($"  load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static async Task<List<long>> CreateCustomersAsync(HttpClient http, string write, string admin, int count)
    {
        for (var start = 0; start < count; start += 500)
        {
            var batch = new JsonArray();
            for (var i = start; i < Math.Min(count, start + 500); i++)
            {
                batch.Add(new JsonObject { ["type"] = "identify", ["userId"] = $"load-{i}", ["messageId"] = $"load-{i}", ["traits"] = new JsonObject { ["plan"] = "load" } });
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batch") { Content = JsonContent.Create(new JsonObject { ["batch"] = batch }) };
            request.Headers.Authorization = Basic(write);
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }

        var ids = new List<long>(count);
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/customers/lookup?kind=user_id&value=load-{i}");
            request.Headers.Authorization = Basic(admin);
            using var response = await http.SendAsync(request);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>());
        }

        return ids;
    }

    /// <summary>One earning per customer, 8 at a time, so no timed redemption lacks points.</summary>
    private static async Task FundAsync(HttpClient http, List<long> ids, int points)
    {
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            using var content = new StringContent($"{{\"points\": {points}}}", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"/v1/customers/{id}/loyalty/earn", content, ct);
            response.EnsureSuccessStatusCode();
        });
    }

    private static AuthenticationHeaderValue Basic(string key) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
