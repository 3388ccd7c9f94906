using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Playwright;
using Rapport.Core.Analytics;
using Rapport.Core.Tests.Analytics;
using Rapport.Engine.Analytics;
using Rapport.Engine.Decisioning;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// The later analytics pages in a real Chromium (funnel/channels/predicted CLV, actions, loyalty,
/// the overview's health alarms) and their API, on the shared seeded server. Each test adds its
/// own rows under ids and periods no other test uses.
/// </summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed class AnalyticsPagesBrowserTests(DashboardFixture f)
{
    private static DateTimeOffset April(int day) => new(2026, 4, day, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Behaviour_FunnelChartWithStepLabels_ChannelsAndClvDeciles()
    {
        // 900001 viewed and added (abandoned); 900002 went all the way: 50% abandonment.
        await RelationshipTestData.EventAsync(f.Server.Db, 900001, Funnel.Viewed, April(21));
        await RelationshipTestData.EventAsync(f.Server.Db, 900001, Funnel.Added, April(21));
        foreach (var step in Funnel.Steps)
        {
            await RelationshipTestData.EventAsync(f.Server.Db, 900002, step, April(22));
        }

        // Fresh now, so the page shows this very report (a stale one would be refreshed behind the page's back).
        var byPurchase = (await f.Server.App.Services.GetRequiredService<RelationshipReports>().ReturnWindowsAsync(false, CohortPeriod.Month, refresh: true)).Report;
        var page = await f.NewPageAsync();
        await page.GotoAsync("/dashboard/analytics");
        await page.Locator("#behaviour-link").ClickAsync();
        await page.ReachAsync("**/dashboard/analytics/behaviour");
        await page.GetByLabel("From").FillAsync("2026-04-20");
        await page.GetByLabel("through").FillAsync("2026-04-30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.ReachAsync("**through=2026-04-30**");

        var funnel = page.Locator("svg#funnel-chart");
        var labels = await funnel.Locator("text").AllTextContentsAsync();
        Assert.Subset(labels.ToHashSet(), Funnel.Steps.ToHashSet());
        Assert.Equal(4, await funnel.Locator("rect").CountAsync());
        Assert.Equal(["2", "2", "1", "1"], await page.Locator("#funnel-table tbody td:nth-child(2)").AllTextContentsAsync());
        Assert.Equal("50%", await page.Locator("#abandonment").InnerTextAsync());
        Assert.Contains("Revenue per customer", await page.Locator("svg#channels-chart").TextContentAsync() ?? "", StringComparison.Ordinal);
        var clv = page.Locator("svg#clv-calibration-chart");
        var clvLabels = await clv.Locator("text").AllTextContentsAsync();
        Assert.Contains("D1", clvLabels);
        Assert.Contains("D10", clvLabels);
        Assert.Equal(20, await clv.Locator("rect[class^=series-]").CountAsync()); // 10 deciles × predicted and actual
        var returns = page.Locator("svg#returns-purchase-chart");
        var returnLabels = await returns.Locator("text").AllTextContentsAsync();
        Assert.Subset(returnLabels.ToHashSet(), new HashSet<string> { "1d", "7d", "30d" });
        Assert.Contains($"{byPurchase.Cohorts[^1].Cohort} ({byPurchase.Cohorts[^1].Customers:N0})", returnLabels);
        Assert.True(await page.Locator("svg#returns-visit-chart").IsVisibleAsync());
        await DashboardFixture.ScreenshotAsync(page, "10-funnel-channels-clv");
    }

    [Fact]
    public async Task Actions_UpliftIntervalPerActionAndAcceptanceByKind()
    {
        await RelationshipTestData.ActionAsync(f.Server.Db, 990001, "spring discount", ActionKinds.Discount);
        await RelationshipTestData.DecisionsAsync(f.Server.Db, 990001, control: false, "accepted", 4);
        await RelationshipTestData.DecisionsAsync(f.Server.Db, 990001, control: false, "ignored", 6);
        await RelationshipTestData.DecisionsAsync(f.Server.Db, 990001, control: true, "converted", 1);
        await RelationshipTestData.DecisionsAsync(f.Server.Db, 990001, control: true, null, 4);

        var page = await f.NewPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Actions", Exact = true }).ClickAsync();
        await page.ReachAsync("**/dashboard/actions");
        await page.GetByRole(AriaRole.Button, new() { Name = "Recompute now" }).ClickAsync();
        await page.ReachAsync("**/dashboard/actions");

        var chart = page.Locator("svg#uplift-chart");
        Assert.Contains("spring discount", await chart.Locator("text").AllTextContentsAsync());
        Assert.True(await chart.Locator("circle").CountAsync() >= 1);
        // 40% against 20%: +20 points; interval 0.2 ± 1.96 √(0.4·0.6/10 + 0.2·0.8/5) = −26.4 to 66.4.
        var row = page.Locator("#actions-table tbody tr", new() { HasText = "spring discount" });
        Assert.Contains("20 pts (-26.4 to 66.4)", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(ActionKinds.Discount, await page.Locator("svg#acceptance-chart text").AllTextContentsAsync());
        await DashboardFixture.ScreenshotAsync(page, "11-actions-uplift");
    }

    [Fact]
    public async Task Loyalty_TierChartAndReciprocityHistogram()
    {
        await using (var c = await f.Server.Db.OpenAsync())
        {
            await c.ExecuteAsync("INSERT INTO loyalty_accounts (customer_id, tier, tier_since, updated_at) VALUES (900101, 'silver', 0, 0), (900102, 'silver', 0, 0)");
        }

        var page = await f.NewPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Loyalty", Exact = true }).ClickAsync();
        await page.ReachAsync("**/dashboard/loyalty");
        await page.GetByRole(AriaRole.Button, new() { Name = "Recompute now" }).ClickAsync();
        await page.ReachAsync("**/dashboard/loyalty");

        Assert.Contains("silver", await page.Locator("svg#loyalty-tier-chart text").AllTextContentsAsync());
        var reciprocity = (await f.Server.App.Services.GetRequiredService<RelationshipReports>().ReciprocityAsync()).Report;
        Assert.Equal(reciprocity.GaveMore.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#gave-more").InnerTextAsync());
        Assert.Equal(reciprocity.Bins.Count, await page.Locator("svg#reciprocity-chart rect").CountAsync());
        Assert.True(reciprocity.Bins.Count >= 10);
        await DashboardFixture.ScreenshotAsync(page, "12-loyalty-reciprocity");
    }

    [Fact]
    public async Task Overview_HealthSectionShowsEveryFiringAlarm_ApiListsTheChecks()
    {
        // 25 first purchases in the week of 13 April (the fake clock is 1 May), none back within a week:
        // under the 5% one-week return threshold. Orders only (no customer rows), so the other pages' counts stay.
        await using (var c = await f.Server.Db.OpenAsync())
        {
            for (int i = 0; i < 25; i++)
            {
                await c.ExecuteAsync(
                    """
                    INSERT INTO orders (order_id, kind, customer_id, id_kind, id_value, channel, status, placed_at, currency, subtotal_e4, discount_e4, total_e4, source)
                    VALUES (@order, 'sale', @customer, 'store_customer_no', @order, 'store', 'completed', @at, 'GBP', 100000, 0, 100000, 'test')
                    """,
                    new { order = $"ALARM-{i}", customer = 950_000L + i, at = April(14).ToUnixTimeMilliseconds() });
            }
        }

        var page = await f.NewPageAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await page.ReachAsync("**/dashboard**");

        var health = (await f.Server.App.Services.GetRequiredService<RelationshipReports>().HealthAsync()).Report;
        var shown = await page.Locator("#alarms li").AllInnerTextsAsync();
        Assert.Equal(health.Alarms.Select(a => $"{a.Rule}: {a.Message}"), shown);
        Assert.Contains(shown, a => a.StartsWith("new-cohort-week-return: Cohort 2026-04-13: 0 of 25 new customers", StringComparison.Ordinal));

        await DashboardFixture.ScreenshotAsync(page, "13-overview-health");
        var api = await f.Server.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/alarms");
        Assert.Equal(health.Checks.Count, api!["checks"]!.AsArray().Count);
        Assert.Equal(health.Rules.CohortWeekReturnBelow, api["rules"]!["cohortWeekReturnBelow"]!.GetValue<double>());
    }

    [Fact]
    public async Task Api_FunnelCsvAndBadInput()
    {
        using var csv = await f.Server.Admin.GetAsync("/v1/analytics/funnel?from=2026-01-01&through=2026-01-31&format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("attachment; filename=\"funnel.csv\"", csv.Content.Headers.ContentDisposition?.ToString() ?? csv.Headers.GetValues("Content-Disposition").Single());
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("from,through,step,reached,did,from_previous,from_first", lines[0]);
        Assert.Equal("2026-01-01,2026-01-31,Product Viewed,0,0,,", lines[1]);

        foreach (var (url, says) in new[]
        {
            ("/v1/analytics/funnel?from=May", "yyyy-MM-dd"),
            ("/v1/analytics/cart-abandonment?from=2026-05-01&through=2026-04-01", "on or after"),
            ("/v1/analytics/clv-predicted-vs-actual?model=x", "whole number"),
            ("/v1/analytics/clv-predicted-vs-actual?model=987654", "no stored predictions"),
            ("/v1/analytics/channels?format=xml", "json"),
            ("/v1/analytics/return-windows?basis=session", "purchase"),
        })
        {
            using var reply = await f.Server.Admin.GetAsync(url);
            Assert.True(reply.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, url);
            Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
            Assert.Contains(says, await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
