using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Analytics;
using Rapport.Core.Customers;
using Rapport.Core.Dashboard;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Hosting;
using Rapport.Storage.Sqlite;

namespace Rapport.LoadTests.Dashboard;

/// <summary>
/// Seeds a SQLite store with N customers (email identifier, name trait) and about 10 orders each
/// over two years, recomputes value, starts the real host in this process, signs in and times
/// every dashboard page over loopback HTTP (wall time at the client: server time plus a loopback
/// round trip). Usage: dashboard [--customers N] [--runs N] [--dir PATH] [--population-only]
/// (the last: only the needs and consent data, reports and pages, to fit a bigger store in the time).
/// </summary>
internal static partial class DashboardScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        int customers = Arg(args, "--customers", 100_000), runs = Arg(args, "--runs", 5);
        var dir = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), $"rapport-dash-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "dash.db");
        await using var db = new SqliteDatabase(path);
        await SchemaMigrator.MigrateAsync(db);
        var populationOnly = args.Contains("--population-only");
        var app = RapportApp.Build(db, TimeProvider.System, "http://127.0.0.1:0", services =>
        {
            services.AddSingleton(sp => new AdminCredentials(db, TimeProvider.System, "bench"));
            if (populationOnly)
            {
                services.AddSingleton(new Rapport.Dashboard.ReportWarming(false)); // the timings below are the only work running
            }
        });
        var orders = await Timed($"seed {customers:N0} customers and their orders", () => SeedAsync(app.Services, customers));
        Console.WriteLine($"      {orders:N0} orders");
        await Timed("value recomputation", () => app.Services.GetRequiredService<ValueRecompute>().RunAsync(rebuild: false));
        if (!populationOnly)
        {
            var events = await Timed("seed funnel events, actions and decisions", () => RelationshipSeed.SeedAsync(app.Services));
            Console.WriteLine($"      {events:N0} events");
        }

        var answers = await Timed("seed needs rows and consent answers", () => PopulationSeed.SeedAsync(app.Services));
        Console.WriteLine($"      {answers:N0} consent answers");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
        await SignInAsync(http);
        if (!populationOnly)
        {
            var snapshot = await Timed("analytics snapshot (first computation, then cached)", async () => (await app.Services.GetRequiredService<RelationshipReports>().SnapshotAsync(refresh: true)).Report);
            Console.WriteLine($"      {snapshot.Overview.Orders:N0} sales, {snapshot.Cohorts.Cohorts.Count} cohorts");
            await RelationshipSeed.TimeReportsAsync(app.Services);
        }

        await Timed("needs and consent reports", async () =>
        {
            await PopulationSeed.TimeReportsAsync(app.Services);
            return 0;
        });
        var id = customers / 2;
        string[] population = ["/dashboard/needs", "/dashboard/needs/clusters/0", $"/dashboard/needs/clusters/0?after={id}", "/dashboard/consent"];
        string[] pages = populationOnly ? population :
        [
            .. population,
            "/dashboard", "/dashboard/analytics", $"/dashboard/customers?q=c{id}%40example.com", "/dashboard/customers?q=Customer%20123", "/dashboard/customers?q=c1234",
            $"/dashboard/customers/{id}", "/dashboard/segments", "/dashboard/settings",
            "/dashboard/analytics/behaviour", "/dashboard/actions", "/dashboard/loyalty", "/dashboard/journeys", "/dashboard/journeys/1",
        ];
        Console.WriteLine($"| page | median | max | CPU per view (median) | ({runs} runs after one warm-up, {customers:N0} customers, {orders:N0} orders) |");
        Console.WriteLine("|---|---|---|---|---|");
        var self = Process.GetCurrentProcess();
        foreach (var page in pages)
        {
            var times = new List<double>();
            var cpu = new List<double>();
            for (int i = 0; i <= runs; i++)
            {
                self.Refresh();
                var cpuBefore = self.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                using var reply = await http.GetAsync(page);
                _ = await reply.Content.ReadAsStringAsync();
                if (reply.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{page}: {reply.StatusCode}");
                }

                if (i > 0)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    self.Refresh();
                    cpu.Add((self.TotalProcessorTime - cpuBefore).TotalMilliseconds); // server and client share this process
                }
            }

            times.Sort();
            cpu.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `{page}` | {times[times.Count / 2]:0} ms | {times[^1]:0} ms | {cpu[cpu.Count / 2]:0} ms | |"));
        }

        await app.StopAsync();
        return 0;
    }

    private static async Task<long> SeedAsync(IServiceProvider services, int customers)
    {
        var writer = services.GetRequiredService<StoreWriter>();
        var resolver = services.GetRequiredService<IdentityResolver>();
        var random = new Random(7);
        var end = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        long orders = 0;
        var all = new List<long>();
        for (int start = 0; start < customers; start += 20_000)
        {
            var emails = Enumerable.Range(start, Math.Min(20_000, customers - start)).Select(i => $"c{i}@example.com").ToList();
            orders += await writer.WriteAsync(async unit =>
            {
                var ids = await resolver.EnsureAsync(unit, "email", emails, UnixTime.ToStorage(end.AddYears(-2)));
                all.AddRange(ids.Values);
                static string Name(string email) => $"Customer {email[1..email.IndexOf('@', StringComparison.Ordinal)]}";
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "traits", ["customer_id", "name", "value", "source", "at"],
                    ids.Select(kv => new object?[] { kv.Value, "name", Name(kv.Key), "bench", 0L }));
                // Written straight into traits, so the search index is filled the way the traits projection would.
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customer_search", ["term", "customer_id", "trait"],
                    ids.SelectMany(kv => CustomerSearch.Rows(kv.Value, "name", Name(kv.Key))));
                var rows = new List<object?[]>();
                foreach (var (email, customer) in ids)
                {
                    // 1 + geometric orders (mean 10), spread over two years.
                    for (int n = 0; n == 0 || random.NextDouble() < 0.9; n++)
                    {
                        var at = end.AddDays(-random.Next(730));
                        var total = Money.ToStorage(Math.Round((decimal)(5 + (random.NextDouble() * 95)), 2));
                        rows.Add([$"{email}-{n}", "sale", customer, "email", email, "web", "completed", UnixTime.ToStorage(at), "GBP", total, 0L, total, "bench", null]);
                    }
                }

                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "orders",
                    ["order_id", "kind", "customer_id", "id_kind", "id_value", "channel", "status", "placed_at", "currency", "subtotal_e4", "discount_e4", "total_e4", "source", "message_id"],
                    rows);
                return (long)rows.Count;
            });
        }

        await CustomerValueUpdater.AfterImportAsync(writer, all);
        return orders;
    }

    private static async Task SignInAsync(HttpClient http)
    {
        var form = await http.GetStringAsync("/dashboard/sign-in");
        var token = Token().Match(form).Groups[1].Value;
        using var reply = await http.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["password"] = "bench", ["__RequestVerificationToken"] = token, ["returnUrl"] = "/dashboard",
        }));
        if (reply.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"sign-in answered {reply.StatusCode}");
        }
    }

    private static async Task<T> Timed<T>(string what, Func<Task<T>> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await run();
        Console.WriteLine($"{what}: {watch.Elapsed.TotalSeconds:0.0} s (process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s)");
        return result;
    }

    private static int Arg(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
