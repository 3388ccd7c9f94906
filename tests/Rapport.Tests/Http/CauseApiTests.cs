using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

/// <summary>Causes over HTTP: catalogue, choices, an order's donation, points donated, the report as JSON and CSV, bad input.</summary>
public sealed class CauseApiTests
{
    [Fact]
    public async Task ChooseOrderDonateReport_EndToEnd_WithClearErrors()
    {
        await using var s = await ApiServer.StartAsync();
        var badCause = await s.Admin.PostAsJsonAsync("/v1/causes", new { name = "", url = "ftp://x" });
        var created = await s.Admin.PostAsJsonAsync("/v1/causes", new { name = "River Trust", url = "https://river.example.org" });
        var cause = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await s.Writer.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Signed Up", timestamp = "2026-04-30T10:00:00Z" })).EnsureSuccessStatusCode();
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ann"))!["id"]!.GetValue<long>();

        var overMax = await s.Admin.PutAsJsonAsync($"/v1/customers/{id}/causes", new { causes = new[] { new { causeId = cause, purchasePercent = 50 } } });
        var unknown = await s.Admin.PutAsJsonAsync($"/v1/customers/{id}/causes", new { causes = new[] { new { causeId = 999, purchasePercent = 1 } } });
        var chosen = await s.Admin.PutAsJsonAsync($"/v1/customers/{id}/causes", new { causes = new[] { new { causeId = cause, pointsShare = 1, purchasePercent = 2 } } });
        (await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann", @event = "Order Completed", timestamp = "2026-04-30T11:00:00Z",
            properties = new { order_id = "W-1", total = 200, products = new[] { new { product_id = "CUP", price = 200, quantity = 1 } } },
        })).EnsureSuccessStatusCode();

        var badPoints = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/causes/donate", new { points = 0 });
        var tooMany = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/causes/donate", new { points = 5000 });
        var donated = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/causes/donate", new { points = 150, idempotencyKey = "give-1" });
        var retried = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/causes/donate", new { points = 150, idempotencyKey = "give-1" });
        var report = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/causes/report?from=2026-05-01&to=2026-05-01"))!;
        var csv = await s.Admin.GetAsync($"/v1/causes/{cause}/report?format=csv");
        var badPeriod = await s.Admin.GetAsync("/v1/causes/report?from=May");
        var donations = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{id}/donations"))!;
        var reciprocity = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/reciprocity"))!;

        Assert.Equal(HttpStatusCode.BadRequest, badCause.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("at most 5%", (await overMax.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPoints.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, tooMany.StatusCode);
        Assert.Equal(200, (await tooMany.Content.ReadFromJsonAsync<JsonObject>())!["balance"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Created, donated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(50, (await retried.Content.ReadFromJsonAsync<JsonObject>())!["balance"]!.GetValue<long>());

        // 2% of 200 = 4.00 in the customer's name, plus 150 points × 0.01 = 1.50; the server's day is 1 May 2026.
        var row = report["causes"]!.AsArray().Single()!;
        Assert.Equal(5.50m, row["donated"]!.GetValue<decimal>());
        Assert.Equal(1, row["donors"]!.GetValue<long>());
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"{cause},River Trust,5.50,1.50,4.00,0.00,150,2,1", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
        Assert.Equal(2, donations.Count);
        Assert.Equal(5.50m, reciprocity["receivedItems"]!["donations"]!.GetValue<decimal>());
    }
}
