using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rapport.Core.Messaging;
using Rapport.Core.Preferences;
using Rapport.Core.Tests.Messaging;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// "Send me a new link" end to end: Chromium on the expired preference page, the server's own
/// outbox dispatcher, a real SMTP server, and the mailed link opening the centre.
/// </summary>
[Rapport.Tests.Http.TestMarkers]
public sealed partial class PreferenceLinkBrowserTests : IAsyncLifetime
{
    private SmtpSink _smtp = null!;
    private ApiServer _api = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        var smtp = new SmtpOptions("127.0.0.1", _smtp.Port, "shop@rapport.test") { Connections = 1, Timeout = TimeSpan.FromSeconds(5) };
        _api = await ApiServer.StartAsync(configure: s =>
        {
            s.AddSingleton(new MessagingOptions { PublicUrl = "http://rapport.test", Smtp = smtp });
            s.AddSingleton<IMessageTransport>(sp => new SmtpTransport(smtp, sp.GetRequiredService<MessageLinks>()));
        });
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
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task ExpiredLink_SendMeANewLink_TheEmailArrives_AndItsLinkOpensTheCentre()
    {
        (await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = "zoe", traits = new { name = "Zoe Link", email = "zoe@example.com" } })).EnsureSuccessStatusCode();
        var zoe = (await Eventually.GetAsync(_api.Admin, "/v1/customers/lookup?kind=user_id&value=zoe", _ => true))["id"]!.GetValue<long>();
        using var linkReply = await _api.Admin.PostAsJsonAsync($"/v1/customers/{zoe}/preference-link", new { days = 1 });
        var expired = new Uri((await linkReply.Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>()).PathAndQuery;
        _api.Clock.Advance(TimeSpan.FromDays(2));

        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _api.Address.ToString().TrimEnd('/') });
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        Assert.Equal(410, (await page.GotoAsync(expired))!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link has expired" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a new link" }).ClickAsync();
        await Assertions.Expect(page.Locator("#new-link-sent")).ToContainTextAsync("a new link is on its way");
        await DashboardFixture.ScreenshotAsync(page, "33-preference-new-link-sent");

        var mail = SmtpSink.Parse(Assert.Single(await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(60))));
        Assert.Equal("zoe@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("Your new link to manage your preferences", mail.Subject);
        var fresh = new Uri(LinkInMail().Match(mail.TextBody!).Value).PathAndQuery;
        Assert.NotEqual(expired, fresh);

        var opened = await page.GotoAsync(fresh);
        Assert.Equal(200, opened!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your preferences" })).ToBeVisibleAsync();
        Assert.Contains("zoe@example.com", await page.Locator("#identifiers").InnerTextAsync(), StringComparison.Ordinal);

        // Two more within the hour are fine; the fourth is refused with a clear message and sends nothing.
        for (var i = 0; i < LinkRequests.PerHour - 1; i++)
        {
            await page.GotoAsync(expired);
            await page.GetByRole(AriaRole.Button, new() { Name = "Send me a new link" }).ClickAsync();
            await Assertions.Expect(page.Locator("#new-link-sent")).ToBeVisibleAsync();
        }

        await page.GotoAsync(expired);
        var limited = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Send me a new link" }).ClickAsync(),
            r => r.Url.Contains("handler=newlink", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.Equal(429, limited.Status);
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("You have asked for 3 new links within an hour");
        Assert.Equal(LinkRequests.PerHour, (await _smtp.WaitForAsync(LinkRequests.PerHour, TimeSpan.FromSeconds(60))).Count);
        await DashboardFixture.ScreenshotAsync(page, "34-preference-new-link-limited");
        await context.CloseAsync();
    }

    [Fact]
    public async Task BrokenLink_AsksForTheAddress_SameReplyKnownOrNot_BadInputIs400()
    {
        (await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = "yan", traits = new { email = "yan@example.com" } })).EnsureSuccessStatusCode();
        await Eventually.GetAsync(_api.Admin, "/v1/customers/lookup?kind=user_id&value=yan", _ => true);
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = _api.Address };
        const string broken = "/preferences/1.2.nonsense";
        using var page = await browser.GetAsync(broken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Your email address", html, StringComparison.Ordinal);
        var token = AntiforgeryToken.In(html);

        async Task<(int Status, string Html)> AskAsync(string email)
        {
            using var reply = await browser.PostAsync(broken + "?handler=newlink", new FormUrlEncodedContent(
                [KeyValuePair.Create("email", email), KeyValuePair.Create("__RequestVerificationToken", token)]));
            return ((int)reply.StatusCode, await reply.Content.ReadAsStringAsync());
        }

        var (status, text) = await AskAsync("not an address");
        Assert.Equal(400, status);
        Assert.Contains("does not look like an email address", text, StringComparison.Ordinal);
        (status, text) = await AskAsync("");
        Assert.Equal(400, status);
        Assert.Contains("Type the email address we write to you at", text, StringComparison.Ordinal);

        var known = await AskAsync("yan@example.com");
        var unknown = await AskAsync("nobody@example.com");
        Assert.Equal((202, 202), (known.Status, unknown.Status));
        Assert.Equal(Reply(known.Html).Replace("yan", "X", StringComparison.Ordinal), Reply(unknown.Html).Replace("nobody", "X", StringComparison.Ordinal));
        Assert.Equal("yan@example.com", SmtpSink.Parse(Assert.Single(await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(60)))).To.Mailboxes.Single().Address);
    }

    private static string Reply(string html) => ReplyPattern().Match(html).Groups[1].Value;

    [GeneratedRegex("<p class=\"alert ok\" role=\"status\" id=\"new-link-sent\">([^<]+)</p>")]
    private static partial Regex ReplyPattern();


    [GeneratedRegex(@"http://rapport\.test/preferences/[^\s]+")]
    private static partial Regex LinkInMail();
}
