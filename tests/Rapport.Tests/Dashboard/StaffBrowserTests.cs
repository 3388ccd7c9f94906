using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using Rapport.Tests.Conversations;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// Per-staff sign-in in Chromium: the admin adds a staff member (password shown once), the
/// member signs in with email and password, sees their name, gets a clear 403 page on an
/// admin-only page, is online for their customer's chat (routed to them) and answers it as
/// themselves.
/// </summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed class StaffBrowserTests(DashboardFixture f)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AdminAddsStaff_StaffSignsIn_Gets403OnAdminPages_AndAnswersTheirCustomersChatAsThemselves()
    {
        var s = f.Server;
        // A customer of their own, so no other test's open conversation is in the way.
        (await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "lin-staff", traits = new { name = "Lin Chat", email = "lin@example.com" } })).EnsureSuccessStatusCode();
        var lin = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=lin-staff"))!["id"]!.GetValue<long>();

        var admin = await f.NewPageAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "Staff", Exact = true }).ClickAsync();
        await admin.ReachAsync("**/dashboard/settings/staff");
        await admin.GetByLabel("Name").FillAsync("Mary Staff");
        await admin.GetByLabel("Email").FillAsync("mary@shop.example");
        await admin.GetByLabel("Role").SelectOptionAsync("staff");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add and make a password" }).ClickAsync();
        var password = (await admin.Locator("#new-password").InnerTextAsync()).Trim();
        Assert.Equal(20, password.Length);
        await DashboardFixture.ScreenshotAsync(admin, "30-staff-added");
        await admin.Context.CloseAsync();
        var mary = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/staff"))!.Single(m => m!["email"]?.GetValue<string>() == "mary@shop.example")!["id"]!.GetValue<long>();
        (await s.Admin.PutAsJsonAsync($"/v1/customers/{lin}/manager", new { staffId = mary })).EnsureSuccessStatusCode();

        var page = await f.NewPageAsync(signIn: false);
        await page.GotoAsync("/dashboard");
        await page.GetByLabel("Email").FillAsync("mary@shop.example");
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ReachAsync("**/dashboard");
        await Assertions.Expect(page.Locator("#signed-in-as")).ToContainTextAsync("Mary Staff (staff)");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Staff", Exact = true })).ToHaveCountAsync(0);

        var forbidden = await page.GotoAsync("/dashboard/settings");
        Assert.Equal(403, forbidden!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Admins only" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#forbidden-user")).ToHaveTextAsync("Mary Staff");
        await DashboardFixture.ScreenshotAsync(page, "31-staff-forbidden");

        // Online in the inbox as herself (no "Working as"): Lin's chat is routed to her.
        await page.GotoAsync("/dashboard/inbox");
        await Assertions.Expect(page.Locator("#online")).ToContainTextAsync("You are Mary Staff");
        await Assertions.Expect(page.Locator("#live-status")).ToContainTextAsync("Online", new() { Timeout = 60_000 });
        Assert.Equal(0, await page.GetByLabel("Working as").CountAsync());

        var toVisitor = Channel.CreateUnbounded<JsonObject>();
        var visitor = new HubConnectionBuilder()
            .WithUrl(new Uri(s.Address, $"/chat/hub?token={await ChatHubTests.TokenAsync(s, "lin-staff")}"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(s.WriteKey))
            .Build();
        visitor.On<JsonObject>("message", m => toVisitor.Writer.TryWrite(m));
        await using (visitor)
        {
            await visitor.StartAsync();
            await visitor.InvokeAsync<long>("Send", "Can Mary call me back?");
            await toVisitor.Reader.ReadAsync().AsTask().WaitAsync(Wait);

            await page.GotoAsync("/dashboard/inbox?view=mine");
            var item = page.Locator("#threads li", new() { HasText = "Can Mary call me back?" });
            await Assertions.Expect(item).ToContainTextAsync("Mary Staff"); // routed: assigned to her
            await item.Locator("a").ClickAsync();
            await page.ReachAsync("**/dashboard/inbox?thread=*");
            await page.GetByLabel("Reply").FillAsync("Of course, in five minutes.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();

            var answer = await toVisitor.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            Assert.Equal("Of course, in five minutes.", answer["body"]!.GetValue<string>());
            Assert.Equal("Mary Staff", answer["staffName"]!.GetValue<string>());
            await Assertions.Expect(page.Locator("#messages")).ToContainTextAsync("Mary Staff");
            await DashboardFixture.ScreenshotAsync(page, "32-staff-answered");
        }

        var thread = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{lin}/conversations"))!.Single()!;
        Assert.Equal(mary, thread["assignedStaffId"]!.GetValue<long>());
        await page.Context.CloseAsync();
    }
}
