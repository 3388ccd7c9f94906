using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Rapport.Core.Dashboard;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// The Needs and Consent pages in a real Chromium, on a server of their own (so the clusters and
/// consent counts are exactly the seeded ones): six discount web shoppers and six store regulars,
/// needs recomputed into two clusters, consent given through the API.
/// </summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed class PopulationPagesBrowserTests(DashboardFixture f) : IAsyncLifetime
{
    private ApiServer _server = null!;
    private readonly Dictionary<string, long> _ids = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(configure: s =>
            s.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), DashboardFixture.Password)));
        var now = _server.Clock.GetUtcNow();
        var batch = new JsonArray();
        for (var i = 0; i < 6; i++)
        {
            batch.Add(Message("identify", $"web{i}", "web", now, traits: new JsonObject { ["name"] = $"Web Shopper {i}" }));
            batch.Add(Message("identify", $"store{i}", "store", now, traits: new JsonObject { ["name"] = $"Store Regular {i}" }));
            batch.Add(Message("track", $"web{i}", "web", now.AddDays(-5), "Product Viewed", new JsonObject { ["product_id"] = "MUG", ["category"] = "Kitchen", ["price"] = 5 }));
            batch.Add(Message("track", $"web{i}", "web", now.AddDays(-5), "Order Completed", Order($"w{i}", "MUG", "Kitchen", 5, 1 + i, "SAVE")));
            for (var n = 0; n < 10 + i; n++)
            {
                batch.Add(Message("track", $"store{i}", "store", now.AddDays(-100 + (n * 7)), "Order Completed", Order($"s{i}-{n}", "BREAD", "Bakery", 3, 1, null)));
            }
        }

        using (var sent = await _server.Writer.PostAsJsonAsync("/v1/batch", new JsonObject { ["batch"] = batch }))
        {
            sent.EnsureSuccessStatusCode();
        }

        foreach (var user in new[] { "web0", "web1", "store0" })
        {
            _ids[user] = (await _server.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();
        }

        await PatchConsentAsync("web0", """{"source": "preference_page", "consents": {"marketing": {"email": true}}}""");
        await PatchConsentAsync("web1", """{"source": "preference_page", "consents": {"marketing": true}, "pausedUntil": "2026-06-01T00:00:00Z"}""");
        await PatchConsentAsync("store0", """{"source": "store_desk", "consents": {"profiling": {"sms": false}}, "quietHours": {"start": "21:00", "end": "08:00"}}""");
        var fit = await _server.App.Services.GetRequiredService<NeedsRecompute>().TryRunAsync(new NeedsRecomputeRequest(K: 2));
        Assert.Equal("fitted", fit!.Clusters!.Status);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NeedsPage_ClustersChartsAndDistributions_ClusterLinksToCustomersAndSegment_UnknownClusterIsAClearPage()
    {
        var page = await NewPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Needs", Exact = true }).ClickAsync();
        await page.ReachAsync("**/dashboard/needs");
        var clusters = await page.Locator("#clusters tbody").InnerTextAsync();
        Assert.Contains("Discount-driven web shoppers\t6", clusters, StringComparison.Ordinal);
        Assert.Contains("Loyal store regulars\t6", clusters, StringComparison.Ordinal);
        // The centroid chart: one bar per cluster and needs feature (10 features), named in its title.
        Assert.Equal("Cluster centroids by needs feature", await page.Locator("#centroid-chart title").First.TextContentAsync());
        Assert.Equal(10, await page.Locator("#centroid-chart rect.series-0").CountAsync());
        Assert.Equal(10, await page.Locator("#centroid-chart rect.series-1").CountAsync());
        Assert.Contains("Kitchen\t6\t6", await page.Locator("#categories").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Bakery\t6\t6", await page.Locator("#categories").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Bakery", await page.Locator("#category-chart").InnerHTMLAsync(), StringComparison.Ordinal);
        var channels = await page.Locator("#channels").InnerTextAsync();
        Assert.Contains("web\t6", channels, StringComparison.Ordinal);
        Assert.Contains("store\t6", channels, StringComparison.Ordinal);
        var api = (await _server.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/needs"))!;
        var priced = api["priceSensitivity"]!.AsArray().Sum(b => b!["customers"]!.GetValue<long>());
        Assert.Equal(12, priced + api["priceSensitivityUnknown"]!.GetValue<long>());
        Assert.Equal(12, api["customers"]!.GetValue<long>());
        await DashboardFixture.ScreenshotAsync(page, "30-needs");

        // The cluster's customers, then the segment builder filled in with the cluster.
        var row = page.Locator("#clusters tbody tr", new() { HasText = "Loyal store regulars" });
        await row.GetByRole(AriaRole.Link, new() { Name = "Customers" }).ClickAsync();
        await page.ReachAsync("**/dashboard/needs/clusters/*");
        Assert.Equal(6, await page.Locator("#members tbody tr").CountAsync());
        Assert.Contains("Store Regular 0", await page.Locator("#members").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Web Shopper", await page.Locator("#members").InnerTextAsync(), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "31-needs-cluster");
        await page.GetByRole(AriaRole.Link, new() { Name = "Make a segment of this cluster" }).ClickAsync();
        await page.ReachAsync("**/dashboard/segments?text=*");
        Assert.Equal("needs.cluster = \"Loyal store regulars\"", await page.Locator("#Text").InputValueAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview size" }).ClickAsync();
        await page.Locator("#preview-count").WaitForAsync();
        Assert.Equal("6", await page.Locator("#preview-count").InnerTextAsync());

        // Unknown clusters and a damaged cursor: clear pages.
        foreach (var bad in new[] { "99", "abc" })
        {
            var reply = await page.GotoAsync($"/dashboard/needs/clusters/{bad}");
            Assert.Equal(404, reply!.Status);
            Assert.Equal("Cluster not found", await page.Locator("h1").InnerTextAsync());
            Assert.Contains("has no cluster", await page.Locator("#not-found").InnerTextAsync(), StringComparison.Ordinal);
        }

        await DashboardFixture.ScreenshotAsync(page, "32-needs-cluster-not-found");
        var first = await page.GotoAsync("/dashboard/needs/clusters/0?after=zz");
        Assert.Equal(200, first!.Status);
        Assert.Contains("not a page position", await page.Locator("#cursor-note").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(6, await page.Locator("#members tbody tr").CountAsync());
    }

    [Fact]
    public async Task ConsentPage_HeatmapWeeksSourcesAndSettings_ProfileShowsTheLedger_CsvAndBadTable()
    {
        var page = await NewPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Consent", Exact = true }).ClickAsync();
        await page.ReachAsync("**/dashboard/consent");
        Assert.Equal("12", await page.Locator("#consent-customers").InnerTextAsync());
        Assert.Equal("3", await page.Locator("#consent-answered").InnerTextAsync());
        Assert.Equal("1", await page.Locator("#paused-now").InnerTextAsync());
        Assert.Equal("1", await page.Locator("#quiet-hours").InnerTextAsync());
        // marketing on email: web0 and web1 of 12 (17%); on sms web1 only (8%).
        var heatmap = await page.Locator("#consent-heatmap").InnerHTMLAsync();
        Assert.Contains(">17 %<", heatmap, StringComparison.Ordinal);
        Assert.Contains(">8 %<", heatmap, StringComparison.Ordinal);
        Assert.Contains("marketing (12)", heatmap, StringComparison.Ordinal);
        var grants = await page.Locator("#consent-grants").TextContentAsync();
        Assert.Contains("marketingemail2010", grants, StringComparison.Ordinal);
        Assert.Contains("profilingsms0111", grants, StringComparison.Ordinal);
        // The week of 2026-04-27 (the server's clock is 2026-05-01): 7 grants, 1 denial.
        Assert.Contains("2026-04-2771", await page.Locator("#consent-weeks").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(52, await page.Locator("#consent-weeks-chart rect[class^=series-]").CountAsync()); // 26 weeks × 2 series
        var sources = await page.Locator("#consent-sources").InnerTextAsync();
        Assert.Contains("preference_page\t8", sources, StringComparison.Ordinal);
        Assert.Contains("store_desk\t2", sources, StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "33-consent");

        // The profile's consent panel lists the ledger with sources.
        await page.GotoAsync($"/dashboard/customers/{_ids["web1"]}");
        var ledger = await page.Locator("#consent-ledger").InnerTextAsync();
        Assert.Contains("marketing.sms\tgranted\tpreference_page", ledger, StringComparison.Ordinal);
        Assert.Contains("paused_until\t2026-06-01 00:00:00Z\tpreference_page", ledger, StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "34-profile-consent-ledger");

        // The same report through the analytics API: a CSV table, and problems for a bad table.
        var csv = await _server.Admin.GetStringAsync("/v1/analytics/consent?format=csv&table=grants");
        Assert.Contains("marketing,email,2,0,10,false,0.166667", csv, StringComparison.Ordinal);
        using var bad = await _server.Admin.GetAsync("/v1/analytics/consent?format=csv&table=nope");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("grants, weeks, sources, settings", (await bad.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var noCsv = await _server.Admin.GetAsync("/v1/analytics/needs?table=channels");
        Assert.Equal(HttpStatusCode.BadRequest, noCsv.StatusCode);
        Assert.StartsWith("channel,customers,mean_share,main_channel_for", await _server.Admin.GetStringAsync("/v1/analytics/needs?format=csv&table=channels"), StringComparison.Ordinal);
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await f.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _server.Address.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/dashboard");
        await page.GetByLabel("Admin password").FillAsync(DashboardFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ReachAsync("**/dashboard");
        return page;
    }

    private async Task PatchConsentAsync(string user, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var reply = await _server.Admin.PatchAsync($"/v1/customers/{_ids[user]}/consent", content);
        Assert.True(reply.IsSuccessStatusCode, await reply.Content.ReadAsStringAsync());
    }

    private static JsonObject Message(string type, string user, string channel, DateTimeOffset at, string? name = null, JsonObject? properties = null, JsonObject? traits = null)
    {
        var m = new JsonObject
        {
            ["type"] = type, ["userId"] = user, ["channel"] = channel, ["timestamp"] = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["messageId"] = $"{type}-{user}-{name}-{at.ToUnixTimeMilliseconds()}-{properties?["order_id"]}",
        };
        if (name is not null)
        {
            m["event"] = name;
            m["properties"] = properties;
        }

        if (traits is not null)
        {
            m["traits"] = traits;
        }

        return m;
    }

    private static JsonObject Order(string id, string sku, string category, decimal price, int quantity, string? coupon)
    {
        var o = new JsonObject
        {
            ["order_id"] = id,
            ["products"] = new JsonArray(new JsonObject { ["product_id"] = sku, ["category"] = category, ["price"] = price, ["quantity"] = quantity }),
        };
        if (coupon is not null)
        {
            o["coupon"] = coupon;
        }

        return o;
    }
}
