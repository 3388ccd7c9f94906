using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Http;

/// <summary>Needs, clusters and the recomputation over HTTP on a real loopback server.</summary>
public sealed class NeedsApiTests
{
    [Theory, BothStores]
    public async Task TrackedBehaviour_NeedsOnProfileAndEndpoint_ClustersAfterRecompute(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        for (var i = 0; i < 4; i++)
        {
            await s.Writer.PostAsJsonAsync("/v1/track", new
            {
                userId = $"web{i}",
                @event = "Order Completed",
                timestamp = "2026-04-30T10:00:00Z",
                properties = new { order_id = $"W-{i}", coupon = "SAVE10", products = new[] { new { product_id = "LAMP", category = "Lamps", price = 25, quantity = 1 } } },
            });
            await s.Writer.PostAsJsonAsync("/v1/track", new
            {
                userId = $"store{i}",
                @event = "Order Completed",
                timestamp = "2026-04-30T10:00:00Z",
                context = new { channel = "store" },
                properties = new { order_id = $"S-{i}", products = new[] { new { product_id = "CHAIR", category = "Chairs", price = 90, quantity = 1 } } },
            });
        }

        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=web0"))!["id"]!.GetValue<long>();
        // Needs are recomputed by the background refresher moments after the events commit.
        var needs = await Eventually.GetAsync(s.Admin, $"/v1/customers/{id}/needs", n => n["affinity"]!.AsArray().Count > 0);
        var profile = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}"))!;

        Assert.Equal("Lamps", needs["affinity"]![0]!["category"]!.GetValue<string>());
        Assert.Equal(1.0, needs["priceSensitivity"]!["discountRevenueShare"]!.GetValue<double>());
        Assert.Equal(25m, needs["priceSensitivity"]!["revenue"]!.GetValue<decimal>());
        Assert.Equal(1.0, needs["priceSensitivity"]!["score"]!.GetValue<double>());
        Assert.Equal("web", needs["channels"]![0]!["channel"]!.GetValue<string>());
        Assert.Equal("LAMP", needs["cadence"]![0]!["sku"]!.GetValue<string>());
        Assert.Null(needs["cluster"]);
        Assert.Equal("Lamps", profile["needs"]!["affinity"]![0]!["category"]!.GetValue<string>());

        var recompute = await s.Admin.PostAsync("/v1/needs/recompute?k=2&seed=7", null);
        Assert.Equal(HttpStatusCode.OK, recompute.StatusCode);
        var summary = (await recompute.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(8, summary["withNeeds"]!.GetValue<long>());
        var progress = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/needs/recompute"))!;
        Assert.Equal("done", progress["phase"]!.GetValue<string>());
        Assert.Equal(8, progress["total"]!.GetValue<long>());

        var clusters = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/needs/clusters"))!;
        var list = clusters["clusters"]!.AsArray();
        Assert.Equal(2, list.Count);
        Assert.Equal([4L, 4L], list.Select(c => c!["size"]!.GetValue<long>()));
        var labels = list.Select(c => c!["label"]!.GetValue<string>()).ToList();
        Assert.Contains("Discount-driven web shoppers", labels);
        Assert.Contains(labels, l => l.Contains("store", StringComparison.Ordinal));
        Assert.Equal(1.0, list.Single(c => c!["label"]!.GetValue<string>() == "Discount-driven web shoppers")!["centroid"]!["price_sensitivity"]!.GetValue<double>());
        var after = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/needs"))!;
        Assert.Equal("Discount-driven web shoppers", after["cluster"]!["label"]!.GetValue<string>());
    }

    [Fact]
    public async Task Needs_UnknownCustomer_404Problem()
    {
        await using var s = await ApiServer.StartAsync();

        var reply = await s.Admin.GetAsync("/v1/customers/424242/needs");

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType!.MediaType);
        Assert.Contains("There is no customer 424242", (await reply.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k=1", "between 2 and 20")]
    [InlineData("k=many", "whole number of clusters")]
    [InlineData("refit=perhaps", "true or false")]
    [InlineData("seed=x", "same seed gives the same clusters")]
    public async Task Recompute_BadParameters_400SaysWhy(string query, string reason)
    {
        await using var s = await ApiServer.StartAsync();

        var reply = await s.Admin.PostAsync("/v1/needs/recompute?" + query, null);

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType!.MediaType);
        Assert.Contains(reason, (await reply.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("idle", (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/needs/recompute"))!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task Clusters_BeforeAnyFit_EmptyListAndWriteKeyForbidden()
    {
        await using var s = await ApiServer.StartAsync();

        var clusters = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/needs/clusters"))!;

        Assert.Null(clusters["modelId"]);
        Assert.Empty(clusters["clusters"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await s.Writer.PostAsync("/v1/needs/recompute", null)).StatusCode);
    }
}
