using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rapport.LoadTests.Harness;

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
/// warms the server up; then --warmup seconds (default 10) of the same mix, not measured, and
/// more until the server's background compiler is idle (Harness/WarmUp, at most --warmup-max).
/// Bounded: it stops after the scheduled requests and waits at most 30 s for the last replies.
/// --mix health sends GET /health instead (the floor of this box, server and client included).
/// The requests go through the shared client (Harness/OpenLoopClient: pre-serialised, keep-alive,
/// a timing thread, latency from the scheduled time) with the server and the client pinned to
/// different cores (Harness/CpuPinning); the report (Harness/LoadReport) splits the latency into
/// send lag, the server's own time (Server-Timing) and the rest. Server runtime settings:
/// LOADTEST_SERVER_ENV (RapportServer).
///
/// --history N gives every customer N more open lots (one-point earnings) before the run, to
/// show whether a request's cost grows with the customer's history; --history-redemptions N
/// gives every customer N earlier one-point redemptions (operations, and reward costs that the
/// value row counts); --tier-basis points sets the programme's tier basis to points earned over 12
/// months (default spend), so tier evaluations count loyalty operations.
///
///     Rapport.LoadTests loyalty [--rate 1000] [--seconds 20] [--customers 1000] [--warmup 10] [--warmup-max 60] [--mix earn,redeem|health] [--history 0] [--history-redemptions 0] [--tier-basis spend|points]
///         [--connections 32] [--server-cpus 0] [--client-cpu 1] [--no-pin]
/// </summary>
internal static class LoyaltyScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rate = int.Parse(Option(args, "--rate") ?? "1000", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Option(args, "--seconds") ?? "20", CultureInfo.InvariantCulture);
        var customers = int.Parse(Option(args, "--customers") ?? "1000", CultureInfo.InvariantCulture);
        var connections = int.Parse(Option(args, "--connections") ?? "32", CultureInfo.InvariantCulture);
        var health = Option(args, "--mix") == "health";
        CpuPinning.Apply(args);
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
        Console.WriteLine($"Rapport loyalty: {rate} req/s for {seconds} s over {customers:N0} customers; {Environment.ProcessorCount} cores; server {server.Address}; {CpuPinning.Describe}; {connections} connections");

        var ids = await CreateCustomersAsync(http, write, admin, customers);
        http.DefaultRequestHeaders.Authorization = Basic(admin);
        var total = rate * seconds;
        var warmup = rate * int.Parse(Option(args, "--warmup") ?? "10", CultureInfo.InvariantCulture);
        if (Option(args, "--tier-basis") is { } basis)
        {
            // Tiers by points earned over 12 months: every earning's tier evaluation then counts operations.
            using var put = await http.PutAsync("/v1/loyalty/program", new StringContent($"{{\"tierBasis\": \"{basis}\"}}", Encoding.UTF8, "application/json"));
            put.EnsureSuccessStatusCode();
            Console.WriteLine($"Tier basis: {basis}");
        }

        var redemptionsPerCustomer = ((total + warmup) / 2 + ids.Count - 1) / ids.Count;
        var historyRedemptions = int.Parse(Option(args, "--history-redemptions") ?? "0", CultureInfo.InvariantCulture);
        await FundAsync(http, ids, 5 * redemptionsPerCustomer + 100 + historyRedemptions);
        var history = int.Parse(Option(args, "--history") ?? "0", CultureInfo.InvariantCulture);
        for (var i = 0; i < history; i++)
        {
            // Lots after the funding lot: the redemptions spend the funding lot (the oldest), so
            // every customer keeps --history more open lots through the run.
            await FundAsync(http, ids, 1);
        }

        for (var i = 0; i < historyRedemptions; i++)
        {
            // One-point redemptions from the funding lot: an operation and a reward cost each.
            await RedeemAsync(http, ids, 1);
        }

        if (history > 0 || historyRedemptions > 0)
        {
            Console.WriteLine($"History: {history} more open lots and {historyRedemptions} earlier redemptions per customer");
        }

        // Request i is requests[i % count]: customer (i / 2) % customers, earning when i is even.
        var auth = HttpWire.Basic(admin);
        var requests = health
            ? [HttpWire.Request("health", "GET", server.Address, "/health")]
            : ids.SelectMany(id => new[]
            {
                HttpWire.Request("earn", "POST", server.Address, $"/v1/customers/{id}/loyalty/earn", auth, "{\"points\": 10}"),
                HttpWire.Request("redeem", "POST", server.Address, $"/v1/customers/{id}/loyalty/redeem", auth, "{\"points\": 5}"),
            }).ToList();
        using var client = new OpenLoopClient(server.Address, connections);

        // The same mix at the same rate, not measured: until the JIT's second tier has compiled
        // the hot paths, a fresh server spends much of its CPU in the JIT's background thread
        // (docs/performance.md, "Session 6: loyalty"); at least --warmup seconds, then until that
        // thread is idle or --warmup-max seconds have passed.
        WarmUp.Run(client, server, requests, rate, warmup / rate, int.Parse(Option(args, "--warmup-max") ?? "60", CultureInfo.InvariantCulture));
        var run = client.Run(requests, rate, seconds, TimeSpan.FromSeconds(30), server);
        LoadReport.Print(run);
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

    /// <summary>One redemption per customer, 8 at a time.</summary>
    private static async Task RedeemAsync(HttpClient http, List<long> ids, int points)
    {
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            using var content = new StringContent($"{{\"points\": {points}}}", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"/v1/customers/{id}/loyalty/redeem", content, ct);
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
