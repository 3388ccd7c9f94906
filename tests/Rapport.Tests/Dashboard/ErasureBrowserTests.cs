using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Rapport.Tests.Dashboard;

/// <summary>The staff page of erasure requests in a real Chromium: the customer asks on their preference page, staff execute it.</summary>
[Collection(DashboardCollection.Name)]
[Rapport.Tests.Http.TestMarkers]
public sealed class ErasureBrowserTests(DashboardFixture f)
{
    [Fact]
    public async Task CustomerAsks_StaffExecuteFromTheDashboard_AfterConfirming_TheCustomerIsForgotten()
    {
        (await f.Server.Writer.PostAsJsonAsync("/v1/identify", new { userId = "erin", traits = new { name = "Erin Erased", email = "erin@example.com" } })).EnsureSuccessStatusCode();
        var erin = (await f.Server.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=erin"))!["id"]!.GetValue<long>();
        using var linkReply = await f.Server.Admin.PostAsync($"/v1/customers/{erin}/preference-link", null);
        var url = new Uri((await linkReply.Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>());

        var customer = await f.NewPageAsync(signIn: false);
        await customer.GotoAsync(url.PathAndQuery);
        await customer.GetByLabel("I want you to erase my data").CheckAsync();
        await customer.GetByRole(AriaRole.Button, new() { Name = "Ask for erasure" }).ClickAsync();
        var pending = (await f.Server.Admin.GetFromJsonAsync<JsonObject>("/v1/erasure-requests?status=pending"))!["items"]!.AsArray();
        var requestId = pending.Single(r => (long)r!["customerId"]! == erin)!["id"]!.GetValue<long>();

        var staff = await f.NewPageAsync();
        await staff.GotoAsync("/dashboard");
        await staff.GetByRole(AriaRole.Link, new() { Name = "Erasure" }).ClickAsync();
        Assert.EndsWith("/dashboard/erasure", staff.Url, StringComparison.Ordinal);
        var execute = staff.GetByRole(AriaRole.Button, new() { Name = $"Execute erasure request {requestId}" });
        await DashboardFixture.ScreenshotAsync(staff, "30-erasure-requests");

        // Without the confirmation nothing happens.
        await execute.ClickAsync();
        Assert.Contains("was not carried out", await staff.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await f.Server.Admin.GetAsync("/v1/customers/lookup?kind=email&value=erin%40example.com")).StatusCode);

        await staff.GetByLabel($"Confirm erasure of request {requestId}").CheckAsync();
        await staff.GetByRole(AriaRole.Button, new() { Name = $"Execute erasure request {requestId}" }).ClickAsync();
        Assert.Contains($"customer {erin} erased", await staff.Locator("#erasure-done").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await execute.CountAsync()); // no longer pending
        Assert.Contains(requestId.ToString(System.Globalization.CultureInfo.InvariantCulture), await staff.Locator("#completed").InnerTextAsync(), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(staff, "31-erasure-executed");

        Assert.Equal(HttpStatusCode.NotFound, (await f.Server.Admin.GetAsync("/v1/customers/lookup?kind=email&value=erin%40example.com")).StatusCode);
        Assert.DoesNotContain("Erin", await f.Server.Admin.GetStringAsync($"/v1/customers/{erin}"), StringComparison.Ordinal);
        var gone = await customer.GotoAsync(url.PathAndQuery); // the customer's own link shows nothing any more
        Assert.Equal(404, gone!.Status);
    }
}
