using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Commerce;

namespace Rapport.Core.Tests.Commerce;

/// <summary>Reading the request's JSON in place gives exactly what reading the JsonObject gives.</summary>
public sealed class CommercePropertiesTests
{
    [Theory]
    [InlineData("""{"sku":"MUG","name":"Mug","category":"Kitchen","price":4.5,"quantity":2}""")]
    [InlineData("""{"product_id":12345,"price":"4.50","quantity":"3"}""")]
    [InlineData("""{"productId":"  ","sku":"","product_id":"P1","price":1e2,"quantity":1.9}""")]
    [InlineData("""{"sku":null,"price":true,"name":7}""")]
    [InlineData("""{"order_id":"O-1","total":"1,234.50","revenue":99,"currency":"EUR","discount":-2,"products":[{"sku":"A","price":2,"quantity":1},"x",{"name":"no sku"},{"product_id":"B","price":null}]}""")]
    [InlineData("""{"products":{"sku":"not an array"}}""")]
    public void ElementAndJsonObject_SameProperties_SameReading(string json)
    {
        var element = JsonDocument.Parse(json).RootElement;
        var node = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(CommerceProperties.Product(node), CommerceProperties.Product(element));
        Assert.Equal(CommerceProperties.Products(node), CommerceProperties.Products(element));
        foreach (var key in new[] { "order_id", "currency", "sku", "name", "product_id" })
        {
            Assert.Equal(CommerceProperties.Text(node, key), CommerceProperties.Text(element, key));
        }

        foreach (var key in new[] { "total", "revenue", "discount", "price", "quantity" })
        {
            Assert.Equal(CommerceProperties.Number(node, key), CommerceProperties.Number(element, key));
        }
    }
}
