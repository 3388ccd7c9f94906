using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Commerce;
using Rapport.Core.Needs;

namespace Rapport.Core.Tests.Needs;

/// <summary>The streaming property reader must read views and orders as the JSON document reading did.</summary>
public sealed class NeedsPropertiesTests
{
    [Theory]
    [InlineData("""{"product_id":"L1","category":"Lamps","price":10}""")]
    [InlineData("""{"sku":"S1","product_id":"L1"}""")]
    [InlineData("""{"productId":42,"category":"  "}""")]
    [InlineData("""{"category":7,"product_id":{"nested":"x"},"sku":["a"]}""")]
    [InlineData("""{"extra":{"category":"Inner","deep":[1,{"sku":"no"}]},"product_id":"P\u00e9"}""")]
    [InlineData("""{"category":"First","category":"Last"}""")]
    [InlineData("""{"product_id":null,"category":true}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{}""")]
    public void View_ReadsCategoryAndProductAsTheDocumentReading(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var expected = (CommerceProperties.Text(doc.RootElement, "category"), CommerceProperties.Product(doc.RootElement)?.Sku);

        Assert.Equal(expected, NeedsProperties.View(json));
    }

    [Theory]
    [InlineData("""{"order_id":"A1","coupon":"SPRING","products":[{"product_id":"x","coupon":"no"}]}""")]
    [InlineData("""{"order_id":123,"coupon":""}""")]
    [InlineData("""{"products":[],"total":10}""")]
    public void Order_ReadsCouponAndOrderIdAsTheDocumentReading(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var expected = (CommerceProperties.Text(doc.RootElement, "coupon"), CommerceProperties.Text(doc.RootElement, "order_id"));

        Assert.Equal(expected, NeedsProperties.Order(json));
    }

    [Fact]
    public void View_PropertiesAsIngestionStoresThem()
    {
        var stored = new JsonObject { ["product_id"] = "C1", ["price"] = 12.5m, ["category"] = "Chairs" }.ToJsonString();

        Assert.Equal(("Chairs", "C1"), NeedsProperties.View(stored));
    }
}
