using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Http;

/// <summary>POST /v1/recompute (value and needs, then segments) over HTTP on a real loopback server.</summary>
public sealed class RecomputeApiTests
{
    [Theory, BothStores]
    public async Task Recompute_AdminKey_RepliesWhenValueNeedsAndSegmentsAreDone(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        for (var i = 0; i < 3; i++)
        {
            await s.Writer.PostAsJsonAsync("/v1/track", new
            {
                userId = $"buyer{i}",
                @event = "Order Completed",
                timestamp = "2026-04-30T10:00:00Z",
                properties = new { order_id = $"O-{i}", products = new[] { new { product_id = "LAMP", category = "Lamps", price = 25 * (i + 1), quantity = 1 } } },
            });
        }

        var segment = await s.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "Buyers", text = "value.orders >= 1" });
        Assert.Equal(HttpStatusCode.Created, segment.StatusCode);

        var reply = await s.Admin.PostAsync("/v1/recompute", null);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var summary = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(3, summary["value"]!["customers"]!.GetValue<long>());
        Assert.Equal(3, summary["needs"]!["customers"]!.GetValue<long>());
        Assert.Equal("done", summary["segments"]!["state"]!.GetValue<string>());
        Assert.Equal(3, summary["segments"]!["customers"]!.GetValue<int>());
        var progress = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/recompute"))!;
        Assert.Equal("done", progress["phase"]!.GetValue<string>());
        Assert.Equal("done", progress["needs"]!["phase"]!.GetValue<string>());
        Assert.Equal("done", progress["segments"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Recompute_WriteKey_Forbidden()
    {
        await using var s = await ApiServer.StartAsync(StoreKind.Sqlite);

        var reply = await s.Writer.PostAsync("/v1/recompute", null);

        Assert.Equal(HttpStatusCode.Forbidden, reply.StatusCode);
        Assert.Equal("idle", (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/recompute"))!["phase"]!.GetValue<string>());
    }
}
