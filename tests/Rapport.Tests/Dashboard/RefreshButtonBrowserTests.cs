using System.Net.Http.Json;
using Dapper;
using Microsoft.Playwright;
using Rapport.Core.Analytics;
using Rapport.Core.Dashboard;
using Rapport.Core.Storage;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// "Recompute now" does not wait for the computation (minutes at a million customers): the page
/// comes back at once with the figures held and says a refresh is running, then shows the new
/// figures by itself once they are computed. To hold the computation without timing anything,
/// the test takes PostgreSQL's ACCESS EXCLUSIVE lock on the orders table the report reads: a
/// button that waited would not come back while the lock is held.
/// </summary>
public sealed class RefreshButtonBrowserTests : IAsyncLifetime
{
    private const string Password = "refresh button test";

    private ApiServer _api = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync(StoreKind.Postgres, configure: s =>
            s.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), Password)));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DashboardFixture.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task RecomputeNow_ComputationHeld_PageBackWithOldFiguresAndNote_ThenNewFiguresByThemselves()
    {
        await OrderAsync("R-1", "2026-02-10T10:00:00Z");
        var page = await SignedInPageAsync();
        await page.GotoAsync("/dashboard/analytics");
        await Assertions.Expect(page.Locator("#repeat-rate")).ToHaveTextAsync("0%"); // one buyer, one order
        await Assertions.Expect(page.Locator("#refreshing")).ToHaveCountAsync(0);

        await OrderAsync("R-2", "2026-03-12T10:00:00Z"); // the buyer comes back: 100% once recomputed
        await using (var c = await _api.Db.OpenAsync())
        {
            await using (var hold = await c.BeginTransactionAsync())
            {
                await c.ExecuteAsync("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", transaction: hold);

                await page.GetByRole(AriaRole.Button, new() { Name = "Recompute now" }).ClickAsync();
                await Assertions.Expect(page.Locator("#refreshing")).ToContainTextAsync("Refreshing since");
                await Assertions.Expect(page.Locator("#repeat-rate")).ToHaveTextAsync("0%"); // the figures held, while the computation waits for the lock
                Assert.True(_api.App.Services.GetRequiredService<ReportCache>().Has("snapshot"));
                await DashboardFixture.ScreenshotAsync(page, "40-analytics-refreshing");

                await hold.RollbackAsync(); // the computation goes on
            }
        }

        // The page reloads itself while the refresh runs; the new figures appear and the note goes.
        await Assertions.Expect(page.Locator("#repeat-rate")).ToHaveTextAsync("100%", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#refreshing")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task OverviewCheckNow_LandsOnAFragment_StillReloadsByItselfUntilTheChecksAreIn()
    {
        await OrderAsync("H-1", "2026-02-10T10:00:00Z");
        var page = await SignedInPageAsync();
        await Assertions.Expect(page.Locator("#health-heading")).ToBeVisibleAsync();

        await using (var c = await _api.Db.OpenAsync())
        {
            await using (var hold = await c.BeginTransactionAsync())
            {
                await c.ExecuteAsync("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", transaction: hold);

                await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
                await Assertions.Expect(page.Locator("#refreshing")).ToContainTextAsync("Refreshing since");
                Assert.EndsWith("/dashboard#health-heading", page.Url, StringComparison.Ordinal);

                // A bare <meta refresh> on an address with a fragment is a same-document fragment
                // navigation (HTML standard): the page would scroll, never reload. It names the page itself.
                Assert.Equal("5; url=/dashboard", await page.Locator("meta[http-equiv=refresh]").GetAttributeAsync("content"));
                await page.EvaluateAsync("() => { window.__beforeReload = true; }");

                await hold.RollbackAsync(); // the checks go on
            }
        }

        await page.WaitForFunctionAsync(
            "() => !window.__beforeReload && document.readyState === 'complete' && !document.getElementById('refreshing')",
            null,
            new() { PollingInterval = 200, Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#health-heading")).ToBeVisibleAsync();
    }

    private async Task OrderAsync(string order, string at)
    {
        using var reply = await _api.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "rita", @event = "Order Completed", timestamp = at,
            properties = new { order_id = order, total = 50m, products = new[] { new { product_id = "MUG", name = "Mug", price = 50m, quantity = 1 } } },
        });
        reply.EnsureSuccessStatusCode();
    }

    private async Task<IPage> SignedInPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _api.Address.ToString().TrimEnd('/'), ViewportSize = new() { Width = 1366, Height = 900 } });
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/dashboard");
        await page.GetByLabel("Admin password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        return page;
    }
}
