using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

/// <summary>Surprise and delight over HTTP: a bad programme, a run, the gift on the timeline, the task, the effect report.</summary>
public sealed class SurpriseApiTests
{
    [Fact]
    public async Task CreateRunTaskEffect_EndToEnd_WithClearErrors()
    {
        await using var s = await ApiServer.StartAsync();
        (await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann", @event = "Order Completed", timestamp = "2026-04-30T11:00:00Z",
            properties = new { order_id = "W-1", total = 80, products = new[] { new { product_id = "CUP", price = 80, quantity = 1 } } },
        })).EnsureSuccessStatusCode();
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ann"))!["id"]!.GetValue<long>();

        var bad = await s.Admin.PostAsJsonAsync("/v1/surprises", new { name = "x", budget = 0, gift = new { kind = "car" } });
        var created = await s.Admin.PostAsJsonAsync("/v1/surprises", new
        {
            name = "Notes for members", budget = 10, holdoutShare = 0, assignee = "sam",
            gift = new { kind = "note", cost = 4, description = "Write to thank them for their first order" },
            eligibility = new { loyaltyTiers = new[] { "member" } },
        });
        var sid = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var run = (await (await s.Admin.PostAsync($"/v1/surprises/{sid}/run", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        var again = (await (await s.Admin.PostAsync($"/v1/surprises/{sid}/run", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        var tasks = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/tasks?status=open"))!;
        var done = await s.Admin.PostAsync($"/v1/tasks/{tasks[0]!["id"]}/done", null);
        var timeline = await s.Admin.GetStringAsync($"/v1/customers/{id}/timeline");
        var effect = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/surprises/{sid}/effect?days=30"))!;
        var badDays = await s.Admin.GetAsync($"/v1/surprises/{sid}/effect?days=0");
        var missing = await s.Admin.PostAsync("/v1/surprises/999/run", null);
        var reciprocity = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/reciprocity"))!;

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray().Count >= 2);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal((1, 6m), (run["gifts"]!.GetValue<int>(), run["budgetLeft"]!.GetValue<decimal>()));
        Assert.Equal(0, again["gifts"]!.GetValue<int>()); // spacing: not twice in 90 days
        Assert.Equal("sam", Assert.Single(tasks)!["assignee"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/tasks?status=open"))!);
        Assert.Contains("Surprise Given", timeline, StringComparison.Ordinal);
        Assert.Equal(0, effect["retention"]!["treated"]!.GetValue<int>()); // the 30-day window has not ended yet
        Assert.Equal(HttpStatusCode.BadRequest, badDays.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(4m, reciprocity["receivedItems"]!["surprises"]!.GetValue<decimal>());
    }
}
