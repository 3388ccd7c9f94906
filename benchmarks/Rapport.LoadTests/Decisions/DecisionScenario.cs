using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Rapport.LoadTests.Decisions;

/// <summary>
/// Next best action and recommendations under load (issue 4: p99 ≤ 5 ms each at 2,000
/// requests/s with 1M customers and 50k products; the server under 4 GB with 10M events).
/// Seeds a SQLite store with bulk SQL (<see cref="DecisionSeed"/>; kept in --dir and reused when
/// the sizes match), starts the real `rapport serve`, creates four actions, waits for the
/// recommender's first model, warms up, then drives the mix open-loop at --rate requests/s in
/// total (request i is sent at i/rate whether or not earlier ones finished), cycling through
/// the endpoints of --mix: nba (GET next-best-actions, web/home, limit 3), recs (GET personal
/// recommendations, k 10) and health (GET /health, the trivial endpoint, for the ratio). Prints
/// p50/p95/p99 per endpoint measured at the client, the server's CPU per request, its peak
/// RSS (VmHWM) and the load average. With --hot N the requests go to customers 1..N only (the
/// ones who come back, whose facts next best action then serves from memory) after a warm-up
/// that visits each of them once; without it every request is a random customer of the store
/// (mostly a first visit: the facts are read from the store and cached).
///
///     Rapport.LoadTests decisions [--customers 100000] [--products 5000] [--events 1000000]
///         [--rate 600] [--seconds 20] [--mix nba,recs,health] [--hot N] [--dir PATH]
/// </summary>
internal static class DecisionScenario
{
    internal static readonly string[] Actions =
    [
        """{"name": "Web voucher", "kind": "discount", "purpose": "marketing", "channels": ["web", "email"], "placements": ["home"], "priority": 1, "value": 10, "cap": {"max": 3, "days": 7}, "reason": "{first_name}, 10% off for you", "content": {"code": "TEN"}}""",
        """{"name": "Recommended product", "kind": "product_offer", "purpose": "marketing", "channels": ["web"], "priority": 1, "value": 20}""",
        """{"name": "Loyal thanks", "kind": "reward", "purpose": "marketing", "channels": ["web"], "placements": ["home"], "value": 5, "cooldownHours": 24}""",
        """{"name": "Care guide", "kind": "content", "purpose": "marketing", "channels": ["web"], "value": 1, "content": {"url": "/guides/care"}}""",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var size = new SeedSize(Int(args, "--customers", 100_000), Int(args, "--products", 5_000), Int(args, "--events", 1_000_000));
        int rate = Int(args, "--rate", 600), seconds = Int(args, "--seconds", 20);
        var mix = (Option(args, "--mix") ?? "nba,recs,health").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (mix.Except(["nba", "recs", "health"]).FirstOrDefault() is { } unknown)
        {
            Console.Error.WriteLine($"--mix: '{unknown}' is not nba, recs or health");
            return 2;
        }

        var dir = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "rapport-decisions-load");
        Directory.CreateDirectory(dir);
        var store = Path.Combine(dir, "decisions.db");
        var marker = Path.Combine(dir, "seeded.txt");
        if (!File.Exists(marker) || File.ReadAllText(marker) != size.ToString())
        {
            foreach (var f in Directory.GetFiles(dir))
            {
                File.Delete(f);
            }

            var watch = Stopwatch.StartNew();
            await DecisionSeed.SeedAsync(store, size, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
            Console.WriteLine($"seeded {size} in {watch.Elapsed.TotalSeconds:0} s ({new FileInfo(store).Length / 1e6:0} MB)");
            await File.WriteAllTextAsync(Path.Combine(dir, "admin.key"), await RapportServer.CreateKeyAsync(store, "admin"));
            await File.WriteAllTextAsync(marker, size.ToString());
        }

        if (args.Contains("--seed-only"))
        {
            return 0;
        }

        var admin = await File.ReadAllTextAsync(Path.Combine(dir, "admin.key"));
        var started = Stopwatch.StartNew();
        await using var server = await RapportServer.StartAsync(store);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = 512 })
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(admin + ":")));
        foreach (var action in Actions)
        {
            using var reply = await http.PostAsync("/v1/actions", new StringContent(action, Encoding.UTF8, "application/json"));
            if (!reply.IsSuccessStatusCode && (int)reply.StatusCode != 409)
            {
                throw new InvalidOperationException($"POST /v1/actions: {(int)reply.StatusCode} {await reply.Content.ReadAsStringAsync()}");
            }
        }

        // The first request for recommendations waits for the first model.
        using (var patient = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(10) })
        {
            patient.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
            (await patient.GetAsync("/v1/recommendations/model")).EnsureSuccessStatusCode();
        }

        Console.WriteLine($"Rapport decisions: {size}; {rate} req/s for {seconds} s, mix {string.Join(",", mix)}; {Environment.ProcessorCount} cores; server up with a model in {started.Elapsed.TotalSeconds:0.0} s, RSS {Rss(server.ProcessId, "VmRSS")}");

        var random = new Random(5);
        var hot = Math.Min(size.Customers, Int(args, "--hot", size.Customers));
        string Path0(string kind) => kind switch
        {
            "nba" => $"/v1/customers/{1 + random.Next(hot)}/next-best-actions?channel=web&placement=home&limit=3",
            "recs" => $"/v1/customers/{1 + random.Next(hot)}/recommendations?k=10",
            _ => "/health",
        };

        await DriveAsync(http, Math.Max(1, rate / 4), 2, mix, Path0); // warm-up: JIT, pools, caches
        if (hot < size.Customers)
        {
            // Each returning customer once, so the run below measures warm requests.
            var next = 0;
            var warm = Stopwatch.StartNew();
            var rssBefore = Rss(server.ProcessId, "VmRSS");
            await Parallel.ForAsync(0, hot, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
            {
                var id = 1 + Interlocked.Increment(ref next) - 1;
                using var reply = await http.GetAsync($"/v1/customers/{id}/next-best-actions?channel=web&placement=home&limit=3", ct);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warmed {hot:N0} returning customers in {warm.Elapsed.TotalSeconds:0.0} s; server RSS {rssBefore} before, {Rss(server.ProcessId, "VmRSS")} after"));
        }

        var cpuBefore = server.ProcessorTime;
        var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (results, elapsed, lag) = await DriveAsync(http, rate, seconds, mix, Path0);
        var cpu = server.ProcessorTime - cpuBefore;
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
        var total = results.Sum(r => r.Value.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {total:N0} replies in {elapsed:0.0} s ({total / elapsed:0} req/s), client send lag max {lag:0.0} ms; server CPU {cpu.TotalSeconds:0.0} s = {cpu.TotalMilliseconds / Math.Max(1, total):0.000} ms/request; client CPU {clientCpu.TotalSeconds:0.0} s"));
        Console.WriteLine("| endpoint | replies | failed | p50 ms | p95 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (kind, r) in results)
        {
            var l = r.Latencies.Order().ToArray();
            double P(double q) => l.Length == 0 ? double.NaN : l[Math.Min(l.Length - 1, (int)Math.Ceiling(q * l.Length) - 1)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {l.Length:N0} | {r.Failed} | {P(0.5):0.00} | {P(0.95):0.00} | {P(0.99):0.00} | {l.LastOrDefault():0.00} |"));
        }

        if (results.TryGetValue("health", out var h) && h.Latencies.Count > 0)
        {
            double P99(List<double> l) => l.Order().ElementAt(Math.Max(0, (int)Math.Ceiling(0.99 * l.Count) - 1));
            foreach (var kind in results.Keys.Where(k => k != "health"))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  p99 ratio {kind} / health: {P99(results[kind].Latencies) / P99(h.Latencies):0.0}"));
            }
        }

        // Each endpoint alone for a few seconds at its share of the rate: the server's CPU per
        // request of that endpoint, less what the server burns idle (background services) meanwhile.
        var idleFrom = server.ProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(4));
        var idlePerSecond = (server.ProcessorTime - idleFrom).TotalMilliseconds / 4;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  idle server: {idlePerSecond:0} ms CPU per second (background work, subtracted below)"));
        foreach (var kind in results.Keys)
        {
            var before = server.ProcessorTime;
            var (alone, took, _) = await DriveAsync(http, Math.Max(1, rate / results.Count), 4, [kind], Path0);
            var n = alone[kind].Count;
            var used = (server.ProcessorTime - before).TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {kind} alone: server CPU {used / Math.Max(1, n):0.000} ms/request, {(used - (idlePerSecond * took)) / Math.Max(1, n):0.000} less idle, over {n:N0} requests"));
        }

        Console.WriteLine($"  server peak RSS (VmHWM) {Rss(server.ProcessId, "VmHWM")}, now {Rss(server.ProcessId, "VmRSS")}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private sealed class Tally
    {
        public List<double> Latencies { get; } = [];

        public int Failed;

        public int Count => Latencies.Count;
    }

    private static async Task<(Dictionary<string, Tally> Results, double Seconds, double MaxLagMs)> DriveAsync(
        HttpClient http, int rate, int seconds, string[] mix, Func<string, string> path)
    {
        var results = mix.Distinct().ToDictionary(k => k, _ => new Tally());
        int total = rate * seconds;
        var tasks = new List<Task>(total);
        double maxLag = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            maxLag = Math.Max(maxLag, (clock.Elapsed - due).TotalMilliseconds);
            var kind = mix[i % mix.Length];
            var url = path(kind);
            tasks.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    using var reply = await http.GetAsync(url);
                    _ = await reply.Content.ReadAsByteArrayAsync();
                    ok = reply.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                var tally = results[kind];
                lock (tally)
                {
                    tally.Latencies.Add(ms);
                    if (!ok)
                    {
                        tally.Failed++;
                    }
                }
            }));
        }

        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(30)));
        return (results, clock.Elapsed.TotalSeconds, maxLag);
    }

    private static string Rss(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal))?[(field.Length + 1)..].Trim() ?? "?";

    private static int Int(string[] args, string name, int fallback) =>
        Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
