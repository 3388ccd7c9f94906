using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Rapport.LoadTests.Harness;

namespace Rapport.LoadTests.Decisions;

/// <summary>
/// Next best action and recommendations under load (issue 4: p99 ≤ 5 ms each at 2,000
/// requests/s with 1M customers and 50k products; the server under 4 GB with 10M events).
/// Seeds a SQLite store with bulk SQL (<see cref="DecisionSeed"/>; kept in --dir and reused when
/// the sizes match), starts the real `rapport serve`, creates four actions, waits for the
/// recommender's first model, warms up, then drives the mix open-loop at --rate requests/s in
/// total (request i is sent at i/rate whether or not earlier ones finished), cycling through
/// the endpoints of --mix: nba (GET next-best-actions, web/home, limit 3), recs (GET personal
/// recommendations, k 10), health (GET /health, which reads the intake's backlog) and live (GET
/// /health/live, which reads nothing: the trivial endpoint the ratios are taken against when in the mix). Prints
/// p50/p95/p99 per endpoint measured at the client, the server's CPU per request, its memory
/// and the load average. With --hot N the requests go to customers 1..N only (the
/// ones who come back, whose facts next best action then serves from memory) after a warm-up
/// that visits each of them once; without it every request is a random customer of the store
/// (mostly a first visit: the facts are read from the store and cached). Requests go through
/// the shared client (Harness/OpenLoopClient: pre-serialised, keep-alive, latency from the
/// scheduled time, the server's own time from Server-Timing) with the server and the client on
/// different cores (Harness/CpuPinning: --server-cpus, --client-cpu, --no-pin).
///
///     Rapport.LoadTests decisions [--customers 100000] [--products 5000] [--events 1000000]
///         [--rate 600] [--seconds 20] [--mix nba,recs,live,health] [--hot N] [--dir PATH] [--connections 64] [--warmup-max 2] [--settle-max 0] [--retrain [--retrains 1]]
///
/// The server's memory (<see cref="ServerMemory"/>: RSS, peak RSS and the managed heap) is printed
/// with the first model, after --settle-max (wait up to S seconds for the server's start-up work
/// to go idle before measuring), after the warm-ups, at the end of the request phase, after a
/// retrain of the recommender with the old model still serving (--retrain; --retrains N for N in a row) and at the end.
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
        if (mix.Except(["nba", "recs", "health", "live"]).FirstOrDefault() is { } unknown)
        {
            Console.Error.WriteLine($"--mix: '{unknown}' is not nba, recs, health or live");
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
        CpuPinning.Apply(args); // after the seed, which may use both cores
        var started = Stopwatch.StartNew();
        await using var server = await RapportServer.StartAsync(store);
        var listening = started.Elapsed;
        using var memory = new ServerMemory(server);
        memory.Print($"listening ({listening.TotalSeconds:0.0} s after start)");
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
            using var model = await patient.GetAsync("/v1/recommendations/model");
            Console.WriteLine($"  model: {(await model.EnsureSuccessStatusCode().Content.ReadAsStringAsync()).ReplaceLineEndings(" ")}");
        }

        Console.WriteLine($"Rapport decisions: {size}; {rate} req/s for {seconds} s, mix {string.Join(",", mix)}; {Environment.ProcessorCount} cores; server listening in {listening.TotalSeconds:0.0} s, up with a model in {started.Elapsed.TotalSeconds:0.0} s");
        memory.Print("with the first model (after training)");
        await memory.SettleAsync(Int(args, "--settle-max", 0));
        memory.Print("after settling");

        var random = new Random(5);
        var hot = Math.Min(size.Customers, Int(args, "--hot", size.Customers));
        string Path0(string kind) => kind switch
        {
            "nba" => $"/v1/customers/{1 + random.Next(hot)}/next-best-actions?channel=web&placement=home&limit=3",
            "recs" => $"/v1/customers/{1 + random.Next(hot)}/recommendations?k=10",
            "live" => "/health/live",
            _ => "/health",
        };

        var auth = http.DefaultRequestHeaders.Authorization!.ToString();
        using var client = new OpenLoopClient(server.Address, Int(args, "--connections", 64));
        IReadOnlyList<LoadRequest> Requests(int count, string[] kinds) =>
            Enumerable.Range(0, count).Select(i => kinds[i % kinds.Length]).Select(k => HttpWire.Request(k, "GET", server.Address, Path0(k), auth)).ToList();
        // Warm-up (JIT, pools, caches): 2 s, and with --warmup-max N more rounds until the server's background compiler is idle.
        WarmUp.Run(client, server, Requests(Math.Max(1, rate / 4) * 2, mix), Math.Max(1, rate / 4), 2, Int(args, "--warmup-max", 2));
        memory.Print("after the warm-up");
        if (hot < size.Customers)
        {
            // Each returning customer once, so the run below measures warm requests.
            var next = 0;
            var warm = Stopwatch.StartNew();
            await Parallel.ForAsync(0, hot, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
            {
                var id = 1 + Interlocked.Increment(ref next) - 1;
                using var reply = await http.GetAsync($"/v1/customers/{id}/next-best-actions?channel=web&placement=home&limit=3", ct);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warmed {hot:N0} returning customers in {warm.Elapsed.TotalSeconds:0.0} s"));
            memory.Print("after warming the returning customers");
        }

        var run = client.Run(Requests(rate * seconds, mix), rate, seconds, TimeSpan.FromSeconds(30), server);
        LoadReport.Print(run);
        memory.Print("at the end of the request phase");
        // The trivial baseline: /health/live (reads nothing) when in the mix, else /health (reads the intake's backlog).
        if ((mix.Contains("live") ? "live" : mix.Contains("health") ? "health" : null) is { } baseline)
        {
            foreach (var kind in mix.Distinct().Where(k => k != baseline))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  p50 / p99 ratio {kind} / {baseline}: {LoadReport.Latency(run, kind, 0.5) / LoadReport.Latency(run, baseline, 0.5):0.0} / {LoadReport.Latency(run, kind, 0.99) / LoadReport.Latency(run, baseline, 0.99):0.0}"));
            }
        }

        // Each endpoint alone for a few seconds at its share of the rate: the server's CPU per
        // request of that endpoint, less what the server burns idle (background services) meanwhile.
        var idleFrom = server.ProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(4));
        var idlePerSecond = (server.ProcessorTime - idleFrom).TotalMilliseconds / 4;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  idle server: {idlePerSecond:0} ms CPU per second (background work, subtracted below)"));
        foreach (var kind in mix.Distinct())
        {
            var before = server.ProcessorTime;
            var aloneRate = Math.Max(1, rate / mix.Distinct().Count());
            var alone = client.Run(Requests(aloneRate * 4, [kind]), aloneRate, 4, TimeSpan.FromSeconds(30));
            var (n, took) = (alone.Replied, alone.Elapsed);
            var used = (server.ProcessorTime - before).TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {kind} alone: server CPU {used / Math.Max(1, n):0.000} ms/request, {(used - (idlePerSecond * took)) / Math.Max(1, n):0.000} less idle, over {n:N0} requests"));
        }

        for (int i = 1, retrains = args.Contains("--retrain") || args.Contains("--retrains") ? Math.Max(1, Int(args, "--retrains", 1)) : 0; i <= retrains; i++)
        {
            // A scheduled retrain (every 15 min when events arrived) builds the new model while the
            // old one serves: the peak of a server that has been up a while, not the first training's.
            using var patient = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(20) };
            patient.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
            var retrain = Stopwatch.StartNew();
            (await patient.PostAsync("/v1/recommendations/retrain", null)).EnsureSuccessStatusCode();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  retrain {i}: retrained (POST /v1/recommendations/retrain, the old model serving meanwhile) in {retrain.Elapsed.TotalSeconds:0} s"));
            memory.Print($"after retrain {i}");
        }

        memory.Print("at the end (after the endpoints alone)");
        await File.WriteAllTextAsync(Path.Combine(dir, "server.log"), server.Log);
        Console.WriteLine($"  the server's console: {Path.Combine(dir, "server.log")}");
        return 0;
    }

    private static int Int(string[] args, string name, int fallback) =>
        Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
