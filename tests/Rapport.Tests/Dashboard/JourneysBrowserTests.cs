using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Rapport.Core.Tests.Analytics;

namespace Rapport.Tests.Dashboard;

/// <summary>The journeys list and a journey's page in a real Chromium, and the journeys in the uplift API, on the shared seeded server.</summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed class JourneysBrowserTests(DashboardFixture f)
{
    private const long Journey = 880001;

    [Fact]
    public async Task Journeys_ListCountsAndUplift_DetailStepsAndGroups_UnknownIdIsAClearPage()
    {
        // Paused, so the server's runner leaves these hand-made enrolments alone.
        // Treated 20: 5 active, 9 completed, 6 goal; control 5: 1, 3, 1. Goal rates 30% and 20%.
        await JourneyTestData.JourneyAsync(f.Server.Db, Journey, "Cart rescue (page test)", "paused", 2, 0.2);
        var treated = new List<long>();
        foreach (var (control, status, n) in new[] { (false, "active", 5), (false, "completed", 9), (false, "converted", 6), (true, "active", 1), (true, "completed", 3), (true, "converted", 1) })
        {
            var ids = await JourneyTestData.EnrolmentsAsync(f.Server.Db, Journey, control, status, n);
            if (!control)
            {
                treated.AddRange(ids);
            }
        }

        foreach (var enrolment in treated.Take(3))
        {
            await JourneyTestData.StepAsync(f.Server.Db, enrolment, "reminder", "send", "queued");
        }

        var page = await f.NewPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Journeys", Exact = true }).ClickAsync();
        await page.ReachAsync("**/dashboard/journeys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Recompute now" }).ClickAsync();
        await page.ReachAsync("**/dashboard/journeys");

        var row = page.Locator("#journeys-table tbody tr", new() { HasText = "Cart rescue (page test)" });
        Assert.Equal(["paused", "2", "25", "6", "12", "7", "20%", "+10 pts (-30.4 to 50.4)"], await row.Locator("td").AllTextContentsAsync());
        Assert.Contains("Cart rescue (page test)", await page.Locator("svg#journeys-uplift-chart text").AllTextContentsAsync());
        await DashboardFixture.ScreenshotAsync(page, "20-journeys");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await page.ReachAsync($"**/dashboard/journeys/{Journey}");
        Assert.Equal("+10 pts (-30.4 to 50.4)", await page.Locator("#journey-uplift").InnerTextAsync());
        Assert.Equal(["20", "5", "9", "6", "30%", "3"], await page.Locator("#groups-table tbody tr:nth-child(1) td").AllTextContentsAsync());
        Assert.Equal(["5", "1", "3", "1", "20%", "0"], await page.Locator("#groups-table tbody tr:nth-child(2) td").AllTextContentsAsync());
        Assert.Equal(["pause", "reminder", "done"], await page.Locator("#steps-table tbody th").AllTextContentsAsync());
        var reminder = await page.Locator("#steps-table tbody tr:nth-child(2) td").AllTextContentsAsync();
        Assert.Equal(["send", "template cart by email", "done", "queued 3"], reminder);
        Assert.True(await page.Locator("svg#journey-uplift-chart").IsVisibleAsync());
        await DashboardFixture.ScreenshotAsync(page, "21-journey-detail");

        var missing = await page.GotoAsync("/dashboard/journeys/987654321");
        Assert.Equal(404, missing!.Status);
        Assert.Contains("no journey #987654321", await page.Locator("#not-found").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpliftApi_ListsJourneysWithTheirGoalCounts()
    {
        const long id = 880002;
        await JourneyTestData.JourneyAsync(f.Server.Db, id, "Win back (api test)", "paused", 1, null);
        await JourneyTestData.EnrolmentsAsync(f.Server.Db, id, false, "converted", 4);
        await JourneyTestData.EnrolmentsAsync(f.Server.Db, id, false, "completed", 6);
        await JourneyTestData.EnrolmentsAsync(f.Server.Db, id, true, "completed", 2);

        var rows = (await f.Server.Admin.GetFromJsonAsync<JsonArray>("/v1/analytics/uplift?refresh=true"))!;

        var row = Assert.Single(rows, r => r!["subject"]!.GetValue<string>() == "journey" && r["id"]!.GetValue<long>() == id)!;
        Assert.Equal("Win back (api test)", row["name"]!.GetValue<string>());
        var u = row["uplift"]!;
        Assert.Equal((10L, 4L, 2L, 0L), (u["treated"]!.GetValue<long>(), u["treatedConverted"]!.GetValue<long>(), u["control"]!.GetValue<long>(), u["controlConverted"]!.GetValue<long>()));
        var csv = await f.Server.Admin.GetStringAsync("/v1/analytics/uplift?format=csv");
        Assert.Contains("Win back (api test)", csv, StringComparison.Ordinal);
    }
}
