using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using Rapport.Tests.Dashboard;

namespace Rapport.Tests.Conversations;

/// <summary>
/// The inbox in a real Chromium: staff answer a visitor's live chat in the dashboard and the
/// visitor's SignalR client receives it; the visitor's next message appears in the page live
/// (through the vendored browser client); the profile shows the account manager.
/// </summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed class InboxBrowserTests(DashboardFixture f)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StaffAnswerInTheInbox_ReachesTheVisitorLive_WithTheCustomerBeside()
    {
        var s = f.Server;
        await CloseAdasThreadsAsync();
        var created = await s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace Inbox", email = "grace.inbox@shop.example" });
        var grace = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await s.Admin.PutAsJsonAsync($"/v1/customers/{f.Ada}/manager", new { staffId = grace })).EnsureSuccessStatusCode();

        var toVisitor = Channel.CreateUnbounded<JsonObject>();
        var visitor = new HubConnectionBuilder()
            .WithUrl(new Uri(s.Address, $"/chat/hub?token={await ChatHubTests.TokenAsync(s, "ada")}"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(s.WriteKey))
            .Build();
        visitor.On<JsonObject>("message", m => toVisitor.Writer.TryWrite(m));
        await using (visitor)
        {
            await visitor.StartAsync();
            await visitor.InvokeAsync<long>("Send", "Do you gift-wrap the lamp?");
            Assert.Equal("in", (await toVisitor.Reader.ReadAsync().AsTask().WaitAsync(Wait))["direction"]!.GetValue<string>());

            var page = await f.NewPageAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Inbox", Exact = true }).ClickAsync();
            await page.GetByLabel("Working as").SelectOptionAsync(grace.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.GetByRole(AriaRole.Button, new() { Name = "Switch" }).ClickAsync();
            await page.ReachAsync("**/dashboard/inbox");
            var item = page.Locator("#threads li", new() { HasText = "Do you gift-wrap the lamp?" });
            Assert.Contains("1", await item.Locator(".badge").InnerTextAsync(), StringComparison.Ordinal);
            await item.Locator("a").ClickAsync();

            await page.ReachAsync("**/dashboard/inbox?thread=*");
            Assert.Contains("Do you gift-wrap the lamp?", await page.Locator("#messages").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("ada@example.com", await page.Locator("#context-identities").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("Order Completed", await page.Locator("#context-timeline").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("Grace Inbox", await page.Locator("#context [data-testid=account-manager]").InnerTextAsync(), StringComparison.Ordinal);
            // The vendored SignalR client connected this page as Grace.
            await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("Online", new() { Timeout = 60_000 });

            await page.GetByLabel("Reply").FillAsync("Yes, and for free.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
            var answer = await toVisitor.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            Assert.Equal("Yes, and for free.", answer["body"]!.GetValue<string>());
            Assert.Equal("Grace Inbox", answer["staffName"]!.GetValue<string>());
            Assert.Equal("chat", answer["channel"]!.GetValue<string>());

            // The visitor writes again: the open page shows it without a reload.
            await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("Online", new() { Timeout = 60_000 });
            await visitor.InvokeAsync<long>("Send", "Wonderful, thank you!");
            await Assertions.Expect(page.Locator("#messages")).ToContainTextAsync("Wonderful, thank you!", new() { Timeout = 60_000 });
            await DashboardFixture.ScreenshotAsync(page, "20-inbox-live-chat");

            await page.GotoAsync($"/dashboard/customers/{f.Ada}");
            var panel = page.Locator("#conversations");
            Assert.Contains("Grace Inbox", await panel.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("open", await panel.InnerTextAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ChatWidgetOnAShopPage_AndTheInbox_TwoBrowserPagesTalk()
    {
        var s = f.Server;
        await CloseAdasThreadsAsync();
        var created = await s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Alan Widget" });
        var alan = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();

        // A shop page on another origin with the widget; the visitor is Ada's phone (merged into Ada).
        var shop = await (await f.Browser.NewContextAsync()).NewPageAsync();
        shop.SetDefaultTimeout(90_000);
        await shop.SetContentAsync($"""
            <!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>The lamp shop</h1>
            <script src="{f.BaseUrl}/chat/widget.js" data-key="{s.WriteKey}" data-anonymous-id="ada-phone"></script></body></html>
            """);
        await Assertions.Expect(shop.Locator("#rapport-chat-status")).ToHaveTextAsync("Connected", new() { Timeout = 60_000 });
        await shop.GetByLabel("Your message").FillAsync("Is the shop open on Sunday?");
        await shop.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(shop.Locator("#rapport-chat-messages")).ToContainTextAsync("Is the shop open on Sunday?", new() { Timeout = 60_000 });

        // Stored on Ada's open thread before it was shown.
        var threads = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{f.Ada}/conversations"))!;
        var thread = threads.First(t => t!["status"]!.GetValue<string>() == "open")!;
        var messages = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{thread["id"]}"))!["messages"]!.AsArray();
        Assert.Equal("Is the shop open on Sunday?", messages[^1]!["body"]!.GetValue<string>());

        var inbox = await f.NewPageAsync();
        await inbox.GotoAsync("/dashboard/inbox");
        await inbox.GetByLabel("Working as").SelectOptionAsync(alan.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await inbox.GetByRole(AriaRole.Button, new() { Name = "Switch" }).ClickAsync();
        await inbox.ReachAsync("**/dashboard/inbox");
        await inbox.GotoAsync($"/dashboard/inbox?thread={thread["id"]}");
        Assert.Contains("Is the shop open on Sunday?", await inbox.Locator("#messages").InnerTextAsync(), StringComparison.Ordinal);
        await inbox.GetByLabel("Reply").FillAsync("Yes, from 10 to 4.");
        await inbox.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();

        await Assertions.Expect(shop.Locator("#rapport-chat-messages")).ToContainTextAsync("Yes, from 10 to 4.", new() { Timeout = 60_000 });
        await DashboardFixture.ScreenshotAsync(shop, "21-chat-widget-visitor");
        await shop.Context.CloseAsync();
    }

    /// <summary>The tests share Ada: each starts her a new conversation (a closed thread is not continued).</summary>
    private async Task CloseAdasThreadsAsync()
    {
        foreach (var t in (await f.Server.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{f.Ada}/conversations"))!)
        {
            (await f.Server.Admin.PostAsync($"/v1/conversations/{t!["id"]}/close", null)).EnsureSuccessStatusCode();
        }
    }
}
