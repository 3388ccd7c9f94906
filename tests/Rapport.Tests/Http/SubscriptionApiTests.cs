using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

/// <summary>Subscriptions over HTTP, with the bad-input cases.</summary>
public sealed class SubscriptionApiTests
{
    [Fact]
    public async Task Subscribe_PastDateUnknownCustomerAndLifecycle_ClearReplies()
    {
        await using var s = await ApiServer.StartAsync(); // today is 2026-05-01
        (await s.Writer.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Signed Up", timestamp = "2026-04-30T10:00:00Z" })).EnsureSuccessStatusCode();
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ann"))!["id"]!.GetValue<long>();

        var past = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/subscriptions", new { sku = "COFFEE", intervalDays = 30, firstDate = "2026-04-01" });
        var nobody = await s.Admin.PostAsJsonAsync("/v1/customers/424242/subscriptions", new { sku = "COFFEE" });
        var created = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/subscriptions", new { sku = "COFFEE", intervalDays = 30 });
        var sid = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var pastPause = await s.Admin.PostAsJsonAsync($"/v1/subscriptions/{sid}/pause", new { until = "2026-04-20" });
        var skipped = await s.Admin.PostAsync($"/v1/subscriptions/{sid}/skip", null);
        var cancelled = await s.Admin.PostAsync($"/v1/subscriptions/{sid}/cancel", null);
        var again = await s.Admin.PostAsync($"/v1/subscriptions/{sid}/skip", null);
        var list = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{id}/subscriptions"))!;

        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Contains("2026-04-01 is in the past", (await past.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, pastPause.StatusCode);
        Assert.Equal("2026-06-30", (await skipped.Content.ReadFromJsonAsync<JsonObject>())!["nextDate"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("cancelled", Assert.Single(list)!["status"]!.GetValue<string>());
    }
}
