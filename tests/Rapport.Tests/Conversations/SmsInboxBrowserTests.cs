using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Rapport.Core.Dashboard;
using Rapport.Core.Storage;
using Rapport.Tests.Dashboard;
using Rapport.Tests.Http;

namespace Rapport.Tests.Conversations;

/// <summary>
/// The inbox in a real Chromium with a real SMS provider endpoint: a customer's text appears
/// live in their account manager's open inbox (routed to the manager, who is online), staff
/// answer it and the answer reaches the provider as an outbound SMS; a file the customer sent
/// by email is shown on the message and downloads.
/// </summary>
[Rapport.Tests.Http.TestMarkers]
public sealed class SmsInboxBrowserTests : IAsyncLifetime
{
    private const float Wait = 60_000;
    private readonly SmsProvider _provider = new();
    private ApiServer _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _server = await _provider.StartServerAsync(services =>
            services.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), DashboardFixture.Password)));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DashboardFixture.Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    [Fact]
    public async Task ATextAppearsLive_ForItsManager_WhoAnswersBySms_AndAnEmailedFileDownloads()
    {
        var s = _server;
        await Check(s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "lin", traits = new { name = "Lin Okafor", phone = "+44 7700 900321", email = "lin@example.com" } }));
        var lin = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=lin"))!["id"]!.GetValue<long>();
        var grace = (await ConversationApiTests.CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace Sms" })))["id"]!.GetValue<long>();
        await Check(s.Admin.PutAsJsonAsync($"/v1/customers/{lin}/manager", new { staffId = grace }));

        var page = await SignedInPageAsync();
        await page.GotoAsync("/dashboard/inbox");
        await page.GetByLabel("Working as").SelectOptionAsync(grace.ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch" }).ClickAsync();
        await page.ReachAsync("**/dashboard/inbox");
        await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("Online", new() { Timeout = Wait });

        // Lin texts: the thread goes to Grace (her manager, online) and shows up in the open page without a reload.
        var texted = await ConversationApiTests.CreatedAsync(SmsProvider.TextAsync(s, new { from = "+447700900321", body = "Is my order ready to collect?", messageId = "SM-B1" }));
        Assert.Equal(grace, texted["thread"]!["assignedStaffId"]!.GetValue<long>());
        var item = page.Locator("#threads li", new() { HasText = "Is my order ready to collect?" });
        await Assertions.Expect(item).ToContainTextAsync("Lin Okafor", new() { Timeout = Wait });
        await item.Locator("a").ClickAsync();
        await page.ReachAsync("**/dashboard/inbox?thread=*");
        Assert.Contains("sms", await page.Locator("#messages").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("sms", await page.Locator("#reply-channel").InputValueAsync());

        await page.GetByLabel("Reply").FillAsync("Yes, it is at the counter.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        var (sent, valid) = await _provider.NextSentAsync();
        Assert.True(valid);
        Assert.Equal("+447700900321", sent["to"]!.GetValue<string>());
        Assert.Equal("Yes, it is at the counter.", sent["text"]!.GetValue<string>());

        // A second text while the thread is open appears in it live.
        await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("Online", new() { Timeout = Wait });
        await ConversationApiTests.CreatedAsync(SmsProvider.TextAsync(s, new { from = "+447700900321", body = "Thanks, on my way!", messageId = "SM-B2" }));
        await Assertions.Expect(page.Locator("#messages")).ToContainTextAsync("Thanks, on my way!", new() { Timeout = Wait });

        // Lin emails a photo: it is listed on the message and downloads as a file.
        const string raw = "From: Lin <lin@example.com>\r\nTo: hello@shop.example\r\nSubject: Photo\r\nMessage-ID: <photo1@mail.example>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe scratch on the lamp.\r\n"
            + "--b1\r\nContent-Type: image/png; name=\"scratch.png\"\r\nContent-Disposition: attachment; filename=\"scratch.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + "iVBORw0KGgoBAgMA/w==\r\n--b1--\r\n";
        await ConversationApiTests.CreatedAsync(s.Admin.PostAsync("/v1/inbound/email", new StringContent(raw, System.Text.Encoding.UTF8, "message/rfc822")));
        await page.ReloadAsync();
        var link = page.GetByRole(AriaRole.Link, new() { Name = "📎 scratch.png" });
        await Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = Wait });
        await DashboardFixture.ScreenshotAsync(page, "22-inbox-sms-and-attachment");
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.Equal("scratch.png", download.SuggestedFilename);
        var saved = await download.PathAsync();
        Assert.Equal(Convert.FromBase64String("iVBORw0KGgoBAgMA/w=="), await File.ReadAllBytesAsync(saved!));
    }

    private async Task<IPage> SignedInPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _server.Address.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, AcceptDownloads = true,
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

    private static async Task Check(Task<HttpResponseMessage> sending)
    {
        using var reply = await sending;
        reply.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _server.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
