using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Rapport.Core.Dashboard;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Value;
using Rapport.Core.Value;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// One real server (SQLite) with seeded data and one headless Debian Chromium, shared by the
/// browser tests: each test opens its own browser context, so cookies never leak between them.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery";
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumFlags =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;

    internal ApiServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Ada Lovelace: identify + two web orders + a merged phone.</summary>
    public long Ada { get; private set; }

    public string BaseUrl => Server.Address.ToString().TrimEnd('/');

    public static string ScreenshotDir { get; } = FindScreenshotDir();

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException(
                $"{Chromium} is missing: install Debian's browser with `apt-get install -y --no-install-recommends chromium` (scripts/test.sh does this as root).");
        }

        Server = await ApiServer.StartAsync(configure: services =>
            services.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), Password)), name: "dashboard");
        await SeedAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumFlags });
    }

    /// <summary>A fresh context (no cookies) and page, signed in unless asked not to.</summary>
    public async Task<IPage> NewPageAsync(bool signIn = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        // Generous: the build box is shared and often runs at a load of 20-40 on 2 cores.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        if (signIn)
        {
            await page.GotoAsync("/dashboard");
            await page.GetByLabel("Admin password").FillAsync(Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.ReachAsync("**/dashboard");
        }

        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    private async Task SeedAsync()
    {
        var w = Server.Writer;
        await Check(w.PostAsJsonAsync("/v1/identify", new { userId = "ada", traits = new { name = "Ada Lovelace", email = "ada@example.com", plan = "gold" } }));
        await Check(w.PostAsJsonAsync("/v1/page", new { anonymousId = "ada-phone", name = "Home" }));
        await Check(w.PostAsJsonAsync("/v1/identify", new { anonymousId = "ada-phone", userId = "ada" }));
        foreach (var (order, total, at) in new[] { ("W-1", 120m, "2026-02-10T10:00:00Z"), ("W-2", 80m, "2026-03-12T10:00:00Z") })
        {
            await Check(w.PostAsJsonAsync("/v1/track", new
            {
                userId = "ada", @event = "Order Completed", timestamp = at,
                properties = new { order_id = order, total, products = new[] { new { product_id = "LAMP", name = "Lamp", price = total, quantity = 1 } } },
            }));
        }

        Ada = (await Server.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ada"))!["id"]!.GetValue<long>();
        var services = Server.App.Services;
        await ValueTestData.InsertSalesAsync(services.GetRequiredService<StoreWriter>(), ValueTestData.Simulated(200));
        await services.GetRequiredService<ValueRecompute>().RunAsync(rebuild: false);
        var fit = await services.GetRequiredService<ClvRefit>().FitAsync(new ClvFitRequest());
        if (!fit.Fitted)
        {
            throw new InvalidOperationException("The seeded CLV model did not fit: " + fit.Model.Message);
        }

        // As a running server would have by the time someone looks (the first view would otherwise compute it).
        await services.GetRequiredService<Rapport.Core.Analytics.RelationshipReports>().SnapshotAsync(refresh: true);
    }

    private static async Task Check(Task<HttpResponseMessage> sending)
    {
        using var reply = await sending;
        reply.EnsureSuccessStatusCode();
    }

    private static string FindScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rapport.slnx")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard in Chromium";
}
