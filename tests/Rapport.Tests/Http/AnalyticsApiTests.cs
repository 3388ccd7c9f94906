using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

/// <summary>GET /v1/analytics/*: JSON, CSV, and bad parameters as problems; admin key only.</summary>
public sealed class AnalyticsApiTests
{
    [Fact]
    public async Task Analytics_JsonCsvAndProblems()
    {
        await using var s = await ApiServer.StartAsync();
        foreach (var (order, at) in new[] { ("A-1", "2026-01-10T10:00:00Z"), ("A-2", "2026-02-10T10:00:00Z"), ("B-1", "2026-01-20T10:00:00Z") })
        {
            var user = order[..1];
            using var sent = await s.Writer.PostAsJsonAsync("/v1/track", new { userId = user, @event = "Order Completed", timestamp = at, properties = new { order_id = order, total = 10 } });
            sent.EnsureSuccessStatusCode();
        }

        var cohorts = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/cohorts?refresh=true");
        var csv = await s.Admin.GetAsync("/v1/analytics/cohorts?format=csv");
        var repeat = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/repeat-purchase");
        var weekly = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/cohorts?period=week&offsets=4");
        var badFormat = await s.Admin.GetAsync("/v1/analytics/overview?format=xml");
        var badPeriod = await s.Admin.GetAsync("/v1/analytics/cohorts?period=day");
        var writeKey = await s.Writer.GetAsync("/v1/analytics/overview");

        var january = cohorts!["cohorts"]![0]!;
        Assert.Equal("2026-01", january["cohort"]!.GetValue<string>());
        Assert.Equal(2, january["customers"]!.GetValue<long>());
        Assert.Equal(0.5, january["shares"]![0]!.GetValue<double>());
        Assert.Equal("text/csv; charset=utf-8", csv.Content.Headers.ContentType!.ToString());
        Assert.Contains("attachment; filename=\"cohorts.csv\"", csv.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.StartsWith("cohort,customers,returned_month_1,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("2026-01,2,1,0,", lines[1], StringComparison.Ordinal);
        Assert.Equal(0.5, repeat!["repeatRate"]!.GetValue<double>());
        Assert.Equal("week", weekly!["period"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Contains("json (the default) or csv", await badFormat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, writeKey.StatusCode);
    }
}
