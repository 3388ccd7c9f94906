using System.Text.Json.Nodes;
using Rapport.Engine.Erasure;

namespace Rapport.Engine.Tests.Erasure;

public sealed class EventScrubberTests
{
    [Fact]
    public void Track_KeepsOrderAndProductFacts_DropsEverythingElse()
    {
        const string Order = """
            {"order_id":"o-1","total":45,"currency":"GBP","email":"ann@example.com","shipping_address":"4 Privet Drive",
             "products":[{"product_id":"sku-1","name":"Blue mug","price":20,"quantity":2,"engraving":"For Ann"}],
             "customer":{"name":"Ann"}}
            """;

        var kept = JsonNode.Parse(EventScrubber.Scrub("track", Order))!.AsObject();

        Assert.Equal(["order_id", "total", "currency", "products"], kept.Select(p => p.Key).ToArray());
        var product = kept["products"]![0]!.AsObject();
        Assert.Equal(["product_id", "name", "price", "quantity"], product.Select(p => p.Key).ToArray());
        Assert.Equal("Blue mug", (string?)product["name"]);
    }

    [Fact]
    public void Name_IsKeptOnlyWhereItNamesAProduct()
    {
        Assert.Equal("""{"sku":"s","name":"Mug"}""", EventScrubber.Scrub("track", """{"sku":"s","name":"Mug"}"""));
        Assert.Equal("{}", EventScrubber.Scrub("track", """{"name":"Ann Smith","message":"hi"}"""));
    }

    [Theory]
    [InlineData("identify", """{"email":"ann@example.com","total":3}""")]
    [InlineData("page", """{"url":"https://shop.example/?email=ann@example.com"}""")]
    [InlineData("track", "not json")]
    [InlineData("track", "[1,2]")]
    [InlineData("track", null)]
    public void EverythingButTrack_AndAnythingUnreadable_KeepsNothing(string type, string? properties) =>
        Assert.Equal("{}", EventScrubber.Scrub(type, properties));
}
