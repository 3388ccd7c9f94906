using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Rapport.Tests.Dashboard;

/// <summary>The customer's preference centre in a real Chromium: no sign-in, only the signed link; screenshots in TestResults/screenshots.</summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed class PreferenceCentreBrowserTests(DashboardFixture f)
{
    [Fact]
    public async Task Link_ChangeConsentAnswerAQuestionAskForErasure_AllVisibleThroughTheApi()
    {
        var w = f.Server.Writer;
        (await w.PostAsJsonAsync("/v1/identify", new { userId = "grace", traits = new { name = "Grace Hopper", email = "grace@example.com" } })).EnsureSuccessStatusCode();
        var grace = (await f.Server.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=grace"))!["id"]!.GetValue<long>();
        using var linkReply = await f.Server.Admin.PostAsync($"/v1/customers/{grace}/preference-link", null);
        var url = new Uri((await linkReply.Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>());

        var page = await f.NewPageAsync(signIn: false);
        var opened = await page.GotoAsync(url.PathAndQuery);
        Assert.Equal(200, opened!.Status);
        Assert.Contains("grace@example.com", await page.Locator("#identifiers").InnerTextAsync(), StringComparison.Ordinal);
        Assert.False(await page.Locator("#c-marketing-email").IsCheckedAsync()); // nothing granted until the customer says so
        await DashboardFixture.ScreenshotAsync(page, "20-preference-centre");

        // Consent: news by email yes, quiet hours 21:00-08:00; saved through the consent service.
        await page.GetByLabel("News and offers by Email").CheckAsync();
        await page.Locator("#quietStart").FillAsync("21:00");
        await page.Locator("#quietEnd").FillAsync("08:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save my choices" }).ClickAsync();
        Assert.Contains("saved", await page.Locator("#saved").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("#c-marketing-email").IsCheckedAsync());

        var consent = (await f.Server.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{grace}/consent"))!;
        Assert.True((bool)consent["consents"]!["marketing"]!["email"]!["granted"]!);
        Assert.Equal("preference-centre", (string?)consent["consents"]!["marketing"]!["email"]!["source"]);
        Assert.False((bool)consent["consents"]!["marketing"]!["sms"]!["granted"]!);
        Assert.Equal("21:00", (string?)consent["quietHours"]!["start"]);
        var history = (await f.Server.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{grace}/consent/history"))!["items"]!.AsArray();
        Assert.Equal(2, history.Count); // only what changed: marketing.email and quiet_hours
        var timeline = (await f.Server.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{grace}/timeline?name=Consent%20Updated"))!["items"]!.AsArray();
        Assert.Equal("preference-centre", (string?)timeline.Single()!["properties"]!["source"]);

        // The question of this visit: what do you value most.
        await page.GetByLabel("Quality").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save answer" }).ClickAsync();
        Assert.Contains("Thank you", await page.Locator("#saved").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#question").CountAsync()); // one question per visit
        var needs = await Rapport.Tests.Http.Eventually.GetAsync(f.Server.Admin, $"/v1/customers/{grace}/needs", n => n["preferences"]?["valuesMost"] is not null);
        Assert.Equal("quality", (string?)needs["preferences"]!["valuesMost"]!["value"]);

        // Erasure: refused without the confirmation, then recorded as a pending request staff see.
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask for erasure" }).ClickAsync();
        Assert.Contains("Tick the box", await page.Locator("#errors").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("I want you to erase my data").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask for erasure" }).ClickAsync();
        Assert.Contains("You asked us to erase your data", await page.Locator("#erasure-pending").InnerTextAsync(), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "21-preference-centre-saved");
        var pending = (await f.Server.Admin.GetFromJsonAsync<JsonObject>("/v1/erasure-requests?status=pending"))!["items"]!.AsArray();
        Assert.Contains(pending, r => (long)r!["customerId"]! == grace);

        // The download link gives the JSON file.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download").ClickAsync());
        var saved = await download.PathAsync();
        var data = JsonNode.Parse(await File.ReadAllTextAsync(saved!))!;
        Assert.Equal(grace, (long)data["customer"]!["id"]!);
    }

    [Fact]
    public async Task TamperedLink_FriendlyPage_No500()
    {
        var page = await f.NewPageAsync(signIn: false);
        var reply = await page.GotoAsync("/preferences/1.4102444800.forged-signature-xxxxxxxx");
        Assert.Equal(404, reply!.Status);
        Assert.Equal("This link is not valid", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("How to get a new link", await page.Locator("#link-problem").InnerTextAsync(), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "22-preference-link-invalid");
    }
}
