using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using Rapport.Core.Analytics;

namespace Rapport.Tests.Dashboard;

/// <summary>The dashboard's main flows in a real Chromium against a real server; screenshots in TestResults/screenshots.</summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed partial class DashboardBrowserTests(DashboardFixture f)
{
    [Fact]
    public async Task SignIn_WrongPasswordRefused_RightPasswordShowsOverview()
    {
        var page = await f.NewPageAsync(signIn: false);
        await page.GotoAsync("/dashboard/customers");
        Assert.EndsWith("/dashboard/sign-in?returnUrl=%2Fdashboard%2Fcustomers", page.Url, StringComparison.Ordinal);

        await page.GetByLabel("Admin password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var error = page.Locator("#sign-in-error");
        Assert.Contains("not right", await error.InnerTextAsync(), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "01-sign-in-wrong-password");

        await page.GetByLabel("Admin password").FillAsync(DashboardFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ReachAsync("**/dashboard/customers");
        await page.GotoAsync("/dashboard");
        var overview = (await f.Server.App.Services.GetRequiredService<RelationshipReports>().SnapshotAsync()).Report;
        Assert.Equal(overview.Overview.Customers.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#kpi-customers").InnerTextAsync());
        await using (var c = await f.Server.Db.OpenAsync())
        {
            // Ada's phone was merged into her: it is not a customer of its own.
            Assert.Equal(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customers WHERE merged_into IS NULL"), overview.Overview.Customers);
        }

        Assert.True(await page.Locator("#revenue-chart rect").CountAsync() > 3);
        Assert.Equal(4, await page.Locator("#tiers tbody tr").CountAsync());
        await DashboardFixture.ScreenshotAsync(page, "02-overview");
    }

    [Fact]
    public async Task FindCustomer_ByNameAndByIdentifier_ProfileShowsEverySection()
    {
        var page = await f.NewPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await page.GetByLabel("Find a customer").FillAsync("lovelace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await DashboardFixture.ScreenshotAsync(page, "03-customer-search");
        await page.GetByRole(AriaRole.Link, new() { Name = $"#{f.Ada}" }).ClickAsync();

        await page.ReachAsync($"**/dashboard/customers/{f.Ada}");
        Assert.Contains("Ada Lovelace", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        var identities = await page.Locator("#identities").InnerTextAsync();
        Assert.Contains("ada@example.com", identities, StringComparison.Ordinal);
        Assert.Contains("ada-phone", identities, StringComparison.Ordinal); // merged in from the phone
        Assert.Equal(1, await page.Locator("#merges tbody tr").CountAsync());
        Assert.Contains("gold", await page.Locator("#traits").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("200.00", await page.Locator("#value").InnerTextAsync(), StringComparison.Ordinal); // 120 + 80 net
        Assert.Contains("CLV (52 weeks)", await page.Locator("#prediction").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#orders tbody tr").CountAsync());
        Assert.Contains("Order Completed", await page.Locator("#timeline").InnerTextAsync(), StringComparison.Ordinal);
        var consent = await page.Locator("#consent").InnerTextAsync(); // a panel another feature adds (IProfilePanel)
        Assert.Contains("Time zone", consent, StringComparison.Ordinal);
        Assert.Contains("Quiet hours", consent, StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "04-customer-profile");

        // Any identifier finds the customer exactly, here the merged phone's anonymous id.
        await page.GotoAsync("/dashboard/customers?q=ada-phone");
        Assert.Contains("identifier", await page.Locator("#results").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SegmentBuilder_HalfFilledShowsPosition_ThenPreviewSizeAndSave()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/dashboard/segments");
        await page.GetByLabel("Definition").FillAsync("value.orders >=");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview size" }).ClickAsync();
        var errors = await page.Locator("#segment-errors").InnerTextAsync();
        Assert.Matches(LineColumn(), errors);
        await DashboardFixture.ScreenshotAsync(page, "05-segment-half-filled");

        await page.GetByLabel("Definition").FillAsync("value.orders >= 2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview size" }).ClickAsync();
        await using var c = await f.Server.Db.OpenAsync();
        var expected = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customer_value cv JOIN customers cu ON cu.id = cv.customer_id WHERE cu.merged_into IS NULL AND cv.orders >= 2");
        Assert.True(expected > 0);
        Assert.Equal(expected.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#preview-count").InnerTextAsync());
        await DashboardFixture.ScreenshotAsync(page, "06-segment-preview");

        await page.GetByLabel("Name").FillAsync("Repeat buyers (browser)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save segment" }).ClickAsync();
        Assert.Contains("Saved", await page.Locator(".alert.ok").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Repeat buyers (browser)", await page.Locator("#segment-list").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomersPage_BeforeASearch_ListsTheMostValuableCustomers()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/dashboard/customers");

        await using var c = await f.Server.Db.OpenAsync();
        var expected = (await c.QueryAsync<long>(
            "SELECT customer_id FROM customer_value WHERE orders > 0 ORDER BY revenue_e4 - returns_e4 DESC, customer_id LIMIT 10")).Select(id => $"#{id}").ToList();
        Assert.Equal(10, expected.Count);
        Assert.Equal(expected, await page.Locator("#top-customers tbody tr td:first-child").AllInnerTextsAsync());
        await page.Locator("#top-customers tbody tr a").First.ClickAsync();
        await page.ReachAsync($"**/dashboard/customers/{expected[0][1..]}");
    }

    [Fact]
    public async Task SegmentPage_ListsMembersWithNamesAndValue_UnknownSegmentIs404()
    {
        var created = await f.Server.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "Gold plan (members page)", text = "traits.plan = \"gold\" and value.orders >= 2" });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["id"]!.GetValue<long>();
        var page = await f.NewPageAsync();
        await page.GotoAsync("/dashboard/segments");
        await page.GetByRole(AriaRole.Link, new() { Name = "Gold plan (members page)" }).ClickAsync();
        await page.ReachAsync($"**/dashboard/segments/{id}");

        // Ada alone: the gold plan, two orders, 200.00 net.
        Assert.Equal("1", await page.Locator("#member-count").InnerTextAsync());
        var row = page.Locator("#members tbody tr");
        Assert.Equal(1, await row.CountAsync());
        var cells = await row.Locator("td").AllInnerTextsAsync();
        Assert.Equal([$"#{f.Ada}", "Ada Lovelace", "ada@example.com"], cells.Take(3));
        Assert.Equal("200.00", cells[4]);
        await DashboardFixture.ScreenshotAsync(page, "11-segment-members");
        await row.GetByRole(AriaRole.Link, new() { Name = $"#{f.Ada}" }).ClickAsync();
        await page.ReachAsync($"**/dashboard/customers/{f.Ada}");

        var missing = await page.GotoAsync("/dashboard/segments/999999");
        Assert.Equal(404, missing!.Status);
        Assert.Equal("Segment not found", await page.Locator("h1").InnerTextAsync());
    }

    [Fact]
    public async Task Analytics_CohortHeatmapRepeatRateParetoAndClv()
    {
        var page = await f.NewPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Analytics", Exact = true }).ClickAsync();
        await page.ReachAsync("**/dashboard/analytics");

        var heatmap = page.Locator("svg#cohort-heatmap");
        Assert.True(await heatmap.IsVisibleAsync());
        var snapshot = (await f.Server.App.Services.GetRequiredService<RelationshipReports>().SnapshotAsync()).Report;
        Assert.True(snapshot.Cohorts.Cohorts.Count >= 2);
        Assert.Contains(snapshot.Cohorts.Cohorts[0].Cohort, await heatmap.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.True(await heatmap.Locator("rect").CountAsync() > snapshot.Cohorts.Cohorts.Count);
        Assert.Equal(Rapport.Dashboard.Fmt.Percent(snapshot.Cohorts.RepeatRate), await page.Locator("#repeat-rate").InnerTextAsync());
        Assert.True(await page.Locator("svg#pareto-chart path").CountAsync() >= 3);
        Assert.True(await page.Locator("svg#clv-chart rect").CountAsync() >= 10);
        await DashboardFixture.ScreenshotAsync(page, "07-analytics-cohorts");
    }

    [Fact]
    public async Task UnknownCustomer_NotFoundPageWith404()
    {
        var page = await f.NewPageAsync();

        var response = await page.GotoAsync("/dashboard/customers/987654321");

        Assert.Equal(404, response!.Status);
        Assert.Equal("Customer not found", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("no customer #987654321", await page.Locator("#not-found").InnerTextAsync(), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "08-customer-not-found");
    }

    [Theory]
    [InlineData("/dashboard/customers/abc", "Customer not found", "no customer #abc")]
    [InlineData("/dashboard/journeys/abc", "Journey not found", "no journey #abc")]
    public async Task NonNumericIdInTheAddress_SameNotFoundPageWith404(string path, string heading, string message)
    {
        var page = await f.NewPageAsync();

        var response = await page.GotoAsync(path);

        Assert.Equal(404, response!.Status);
        Assert.Equal(heading, await page.Locator("h1").InnerTextAsync());
        Assert.Contains(message, await page.Locator("#not-found").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredSession_BackToSignInWithMessage_ThenBackToThePage()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/dashboard/settings");
        Assert.Equal("Settings", await page.Locator("h1").InnerTextAsync());

        f.Server.Clock.Advance(Rapport.Dashboard.DashboardServices.SessionLength + TimeSpan.FromMinutes(1));
        await page.ReloadAsync();

        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);
        Assert.Contains("session has expired", await page.Locator("#expired").InnerTextAsync(), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "09-session-expired");
        await page.GetByLabel("Admin password").FillAsync(DashboardFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ReachAsync("**/dashboard/settings");
        Assert.Contains("sqlite", await page.Locator("#store").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task EveryMainPage_FitsA1366PxWindow_NoSidewaysScrolling()
    {
        // An admin's navigation (13 sections, the name, Sign out) is wider than 1366 px on one
        // line, and an order event's properties are JSON with no space to break at: both used to
        // push the page sideways, the Sign out button out of sight.
        var reply = await f.Server.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ada", @event = "Product Viewed", timestamp = "2025-06-01T10:00:00Z", // Ada's, not a new customer the other tests would count
            properties = new { product_id = "SKU-" + new string('7', 40), name = "A_PRODUCT_NAME_WITHOUT_ANY_SPACES_AT_ALL", category = "Lamps" },
        });
        reply.EnsureSuccessStatusCode();
        var page = await f.NewPageAsync();
        string[] paths = ["/dashboard", $"/dashboard/customers/{f.Ada}", "/dashboard/analytics", "/dashboard/segments", "/dashboard/needs", "/dashboard/loyalty", "/dashboard/settings"];
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            var sticksOut = await page.EvaluateAsync<string[]>(
                """
                () => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 40))
                """);
            Assert.True(sticksOut.Length == 0, $"{path} is wider than the window; sticking out: {string.Join(" | ", sticksOut)}");
            Assert.True(await page.Locator("header.top button").IsVisibleAsync(), $"Sign out is not visible on {path}");
        }

        await DashboardFixture.ScreenshotAsync(page, "10-narrow-window-settings");
    }

    [GeneratedRegex(@"Definition: line 1, column \d+: ")]
    private static partial Regex LineColumn();
}
