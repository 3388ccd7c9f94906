using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

/// <summary>Volume pricing and contracts over HTTP, with the bad-input cases.</summary>
public sealed class PricingApiTests
{
    [Fact]
    public async Task RuleContractQuote_EndToEnd_WithClearErrors()
    {
        await using var s = await ApiServer.StartAsync(); // today is 2026-05-01
        (await s.Writer.PostAsJsonAsync("/v1/track", new { userId = "acme", @event = "Signed Up", timestamp = "2026-04-30T10:00:00Z" })).EnsureSuccessStatusCode();
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=acme"))!["id"]!.GetValue<long>();

        var badRule = await s.Admin.PostAsJsonAsync("/v1/pricing/rules", new { scope = "brand", target = "X", breaks = new[] { new { minQuantity = 10, discountPercent = 5 } } });
        var rule = await s.Admin.PostAsJsonAsync("/v1/pricing/rules", new { scope = "product", target = "BOLT", breaks = new[] { new { minQuantity = 100, unitPrice = 0.08 } } });
        var badContract = await s.Admin.PostAsJsonAsync("/v1/contracts", new { customerId = id, startDate = "2026-06-01", endDate = "2026-01-01", discountPercent = 5 });
        var contract = await s.Admin.PostAsJsonAsync("/v1/contracts", new { customerId = id, startDate = "2026-01-01", endDate = "2026-12-31", discountPercent = 15, minimumCommitment = 500 });
        var quote = await s.Admin.PostAsJsonAsync("/v1/pricing/quote", new { customerId = id, lines = new[] { new { sku = "BOLT", quantity = 200, price = 0.10 }, new { sku = "NUT", quantity = 10, price = 0.20 } } });
        var noLines = await s.Admin.PostAsJsonAsync("/v1/pricing/quote", new { lines = Array.Empty<object>() });
        var noPrice = await s.Admin.PostAsJsonAsync("/v1/pricing/quote", new { lines = new[] { new { sku = "GHOST", quantity = 1 } } });
        var listed = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/contracts?customerId={id}"))!;

        Assert.Equal(HttpStatusCode.BadRequest, badRule.StatusCode);
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badContract.StatusCode);
        Assert.Equal(HttpStatusCode.Created, contract.StatusCode);
        var body = (await quote.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(0.08m, body["lines"]![0]!["unitPrice"]!.GetValue<decimal>()); // volume 0.08 beats 15% off (0.085)
        Assert.Equal(0.17m, body["lines"]![1]!["unitPrice"]!.GetValue<decimal>()); // 15% off 0.20
        Assert.Equal(17.70m, body["total"]!.GetValue<decimal>());
        Assert.Equal(HttpStatusCode.BadRequest, noLines.StatusCode);
        Assert.Contains("GHOST", (await noPrice.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("active", Assert.Single(listed)!["status"]!.GetValue<string>());
        Assert.Equal(500m, listed[0]!["shortfall"]!.GetValue<decimal>());
    }
}
