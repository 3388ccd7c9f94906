using System.Text.Json.Nodes;
using Rapport.Engine.Segments;

namespace Rapport.Engine.Tests.Segments;

public sealed class EventPropertiesTests
{
    private const int Today = 20_500;

    public static TheoryData<string> Properties => new()
    {
        """{"category":"Lamps","price":80}""",
        """{"category":"lamps","brand":"Acme","total":"250.5"}""",
        """{"category":"Chairs","products":[{"category":"Lamps","brand":"Ikea"},{"category":"Chairs","brand":"Acme"}]}""",
        """{"brand":"Acme","products":[{"category":"Lamps"},{"sku":"x"},7,null,{"category":{"nested":"Lamps"}}]}""",
        """{"category":{"name":"Lamps"},"total":[1,2],"products":"none"}""",
        """{"category":"L\u0061mps","note":"a \"quoted\" text","total":1e3,"vip":true}""",
        """{"category":null,"products":[]}""",
        """{"products":[{"category":"Lamps","total":300,"vip":"true"}],"extra":{"deep":[{"category":"Lamps"}]}}""",
        """[1,2,3]""",
        """{}""",
    };

    [Theory]
    [MemberData(nameof(Properties))]
    public void Read_FilteredProperties_MatchesLikeTheWholeObject(string json)
    {
        var set = SegmentSet.Compile(new[]
        {
            "viewed(category = \"Lamps\", last 7 days)",
            "viewed(category = \"Lamps\", brand = \"Acme\", last 7 days)",
            "viewed(category != \"Chairs\", last 7 days)",
            "viewed(total >= 200, last 7 days)",
            "viewed(vip = true, last 7 days)",
            "viewed(price < 100, category = \"Lamps\", last 7 days)",
        }.Select(t => SegmentDefinition.Parse(t).Definition!).ToList());
        var whole = JsonNode.Parse(json) as JsonObject;
        var read = set.PropertyReader.Read(json);

        var expected = set.Selectors.Select(s => s.Matches(new BehaviourEvent("track", "Product Viewed", "web", Today * 86_400_000L, whole)));
        var actual = set.Selectors.Select(s => s.Matches(new BehaviourEvent("track", "Product Viewed", "web", Today * 86_400_000L, read)));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Read_OnlyNamedProperties_AreKept()
    {
        var read = new EventProperties(["category"]).Read("""{"category":"Lamps","price":80,"products":[{"category":"Chairs","price":5},{"price":6}]}""");

        Assert.Equal("""{"category":"Lamps","products":[{"category":"Chairs"}]}""", read.ToJsonString());
    }

    [Fact]
    public void Read_LongJson_UsesPooledBuffer()
    {
        var json = "{\"pad\":\"" + new string('x', 5000) + "\",\"category\":\"Lamps\"}";

        Assert.Equal("Lamps", (string)new EventProperties(["category"]).Read(json)["category"]!);
    }

    [Fact]
    public void Read_DamagedJson_IsEmpty()
    {
        Assert.Empty(new EventProperties(["category"]).Read("""{"category":"Lamps","""));
    }
}
