using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Rapport.LoadTests.Dashboard;

/// <summary>
/// Every dashboard page against the real `rapport serve` on a seeded store: the server's own
/// time (its Server-Timing header), the wall time at the client, and the server process's CPU
/// per view; first the first view of each page right after start (while ReportWarmer computes
/// the reports in the background), then, once the warmer is done, one warm-up and N views each.
/// The server's resident memory after start, after warming and after the page run.
/// </summary>
internal static partial class DashboardPages
{
    /// <param name="Report">The page reads a cached report (without warming its views would start computations that load the box).</param>
    /// <param name="Expected">The status a view answers with (the sign-out page's GET redirects to the overview).</param>
    private sealed record Page(string Name, Func<HttpClient, Task<HttpResponseMessage>> Fetch, bool Report = false, HttpStatusCode Expected = HttpStatusCode.OK);

    /// <param name="warm">False: the server computes no report at start (Rapport:Dashboard:WarmReports=false) and the warm views start at once; report pages then show the computing page.</param>
    /// <param name="only">Measure only the pages whose name contains this (e.g. "Preview"), or all when null.</param>
    public static async Task MeasureAsync(string store, DashboardSize size, int runs, bool warm = true, string? only = null)
    {
        var start = Stopwatch.StartNew();
        var environment = new Dictionary<string, string> { ["Rapport__AdminPassword"] = "bench", ["Rapport__Messaging__SigningKey"] = SigningKey };
        if (!warm)
        {
            environment["Rapport__Dashboard__WarmReports"] = "false";
        }

        await using var server = await RapportServer.StartAsync(store, environment: environment);
        Console.WriteLine($"server listening after {start.Elapsed.TotalSeconds:0.0} s; {Memory(server)}; load average {DashboardScenario.Load()}");
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromMinutes(20),
        };
        await SignInAsync(http);
        var pages = Pages(size, await PreferencesTokenAsync(size.Customers / 2)).Where(p => (warm || !p.Report) && (only is null || p.Name.Contains(only, StringComparison.OrdinalIgnoreCase))).ToList();
        var first = new Dictionary<string, string>();
        foreach (var page in pages)
        {
            var (serverMs, wallMs, _, computing) = await FetchAsync(http, server, page);
            first[page.Name] = string.Create(CultureInfo.InvariantCulture, $"{serverMs:0} ms{(computing ? " (to the computing page)" : "")}");
            Console.WriteLine($"first view {page.Name}: {first[page.Name]} server, {wallMs:0} ms wall");
        }

        while (warm && !server.HasLogged("Dashboard reports computed at start"))
        {
            await Task.Delay(500);
        }

        Console.WriteLine($"reports warmed {start.Elapsed.TotalSeconds:0} s after start; {Memory(server)}; load average {DashboardScenario.Load()}");
        foreach (var line in server.LinesContaining("computed at start"))
        {
            Console.WriteLine("   server: " + line.Trim());
        }

        Console.WriteLine($"| page | first view after start (server) | warm median (server) | warm max (server) | warm median (client wall) | server CPU per view (mean) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var page in pages)
        {
            var server1 = new List<double>();
            var wall = new List<double>();
            var cpu = new List<double>();
            var waited = Stopwatch.StartNew();
            for (int i = 0; i <= runs; i++)
            {
                var (s, w, c, computing) = await FetchAsync(http, server, page);
                if (computing && (!warm || waited.Elapsed > TimeSpan.FromMinutes(15)))
                {
                    break; // a report the warmer does not compute, or no warmer: the row says so
                }

                if (computing)
                {
                    await Task.Delay(2_000); // a report only this page asks for (the first view started it): wait for it
                    i--;
                    continue;
                }

                if (i > 0)
                {
                    server1.Add(s);
                    wall.Add(w);
                    cpu.Add(c);
                }
            }

            if (server1.Count == 0)
            {
                Console.WriteLine($"| `{page.Name}` | {first[page.Name]} | computing | | | |");
                continue;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| `{page.Name}` | {first[page.Name]} | {Median(server1):0} ms | {server1.Max():0} ms | {Median(wall):0} ms | {cpu.Average():0.0} ms |"));
        }

        Console.WriteLine($"after the page run: {Memory(server)}; load average {DashboardScenario.Load()}");
        await server.StopAsync();
    }

    private static List<Page> Pages(DashboardSize size, string preferencesToken)
    {
        var id = size.Customers / 2;
        Page Get(string path) => new(path, http => http.GetAsync(path));
        Page Cached(string path) => new(path, http => http.GetAsync(path), Report: true);
        return
        [
            Cached("/dashboard"), Cached("/dashboard/analytics"), Cached("/dashboard/analytics/behaviour"),
            Get("/dashboard/customers"), Get($"/dashboard/customers?q=c{id}%40example.com"), Get("/dashboard/customers?q=Customer%20123"),
            Get("/dashboard/customers?q=Customer"), Get("/dashboard/customers?q=c1234"), Get($"/dashboard/customers/{id}"),
            Get("/dashboard/segments"),
            new("POST /dashboard/segments?handler=Preview (value.orders >= 2 and bought(last 90 days))", http => PostFormAsync(http, "/dashboard/segments", "/dashboard/segments?handler=Preview",
                new() { ["Text"] = "value.orders >= 2 and bought(last 90 days)" })),
            Cached("/dashboard/actions"), Cached("/dashboard/journeys"), Cached("/dashboard/journeys/1"), Cached("/dashboard/loyalty"),
            Cached("/dashboard/needs"), Get("/dashboard/needs/clusters/0"), Get($"/dashboard/needs/clusters/0?after={id}"), Cached("/dashboard/consent"),
            Get("/dashboard/inbox"), Get("/dashboard/erasure"), Get("/dashboard/settings"), Get("/dashboard/settings/staff"), Get("/dashboard/account/password"),
            Get("/dashboard/computing?report=snapshot&back=%2Fdashboard"), Get($"/preferences/{preferencesToken}"),
            new("/dashboard/sign-out (GET: back to the overview)", http => http.GetAsync("/dashboard/sign-out"), Expected: HttpStatusCode.Redirect),
            Get("/dashboard/sign-in"),
            // Last, as it starts a recomputation behind (which would load the views after it): the button's own reply.
            new("POST /dashboard/needs?handler=Refresh (Recompute now: starts it in the background)",
                http => PostFormAsync(http, "/dashboard/segments", "/dashboard/needs?handler=Refresh", new()) /* any form gives the session's token; the needs page itself may be computing */, Report: true, Expected: HttpStatusCode.Redirect),
        ];
    }

    /// <summary>One view; Computing = the page sent its reader to /dashboard/computing (its report is being computed for the first time).</summary>
    private static async Task<(double ServerMs, double WallMs, double CpuMs, bool Computing)> FetchAsync(HttpClient http, RapportServer server, Page page)
    {
        var cpu = server.ProcessorTime;
        var watch = Stopwatch.StartNew();
        using var reply = await page.Fetch(http);
        _ = await reply.Content.ReadAsStringAsync();
        var wall = watch.Elapsed.TotalMilliseconds;
        var used = (server.ProcessorTime - cpu).TotalMilliseconds;
        var computing = reply.StatusCode == HttpStatusCode.Redirect && reply.Headers.Location?.OriginalString.StartsWith("/dashboard/computing", StringComparison.Ordinal) == true;
        if (reply.StatusCode != page.Expected && !computing)
        {
            throw new InvalidOperationException($"{page.Name}: {(int)reply.StatusCode} {reply.StatusCode}");
        }

        var timing = reply.Headers.TryGetValues("Server-Timing", out var values) ? ServerTiming().Match(string.Join(",", values)) : Match.Empty;
        return (timing.Success ? double.Parse(timing.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN, wall, used, computing);
    }

    /// <summary>The server signs preference links with this key (Rapport__Messaging__SigningKey), so the scenario can make a customer's link.</summary>
    private const string SigningKey = "dashboard-scenario-signing-key";

    /// <summary>A customer's preference-centre token, made by the product's own PreferenceLinks with the server's key.</summary>
    private static async Task<string> PreferencesTokenAsync(long customer) =>
        (await new Rapport.Core.Preferences.PreferenceLinks(
            new Rapport.Core.Messaging.MessagingSecrets(null!, new() { SigningKey = SigningKey }), new(), new(), TimeProvider.System).CreateAsync(customer)).Token;

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string formPage, string action, Dictionary<string, string> fields)
    {
        var form = await http.GetStringAsync(formPage);
        fields["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value;
        return await http.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    private static async Task SignInAsync(HttpClient http)
    {
        using var reply = await PostFormAsync(http, "/dashboard/sign-in", "/dashboard/sign-in", new() { ["password"] = "bench", ["returnUrl"] = "/dashboard" });
        if (reply.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"sign-in answered {reply.StatusCode}");
        }
    }

    private static string Memory(RapportServer server)
    {
        var (rss, peak) = server.Memory();
        return string.Create(CultureInfo.InvariantCulture, $"server RSS {rss:0} MB (peak {peak:0} MB)");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex(@"dur=([0-9.]+)")]
    private static partial Regex ServerTiming();
}
