using System.Text;
using System.Text.Json.Nodes;
using Rapport.Engine.Segments;

namespace Rapport.Engine.Tests.Segments;

/// <summary>
/// A bulk load matches selectors on the filtered properties read into reused arrays; the answer
/// must be the one matching the whole parsed object gives (as the live pipeline does).
/// </summary>
public sealed class PropertyValuesTests
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
        """{"category":"LAMPS","brand":"ACME","price":"99.5","vip":" False "}""",
        """{"category":"Lämps","brand":"Acmé","products":[{"price":120},{"price":"80","category":"Chairs"}]}""",
        """{"products":[{"brand":"Ikea"},{"brand":"Acme","price":"cheap"}],"category":"Lamps","price":99}""",
        """[1,2,3]""",
        """{}""",
    };

    [Theory]
    [MemberData(nameof(Properties))]
    public void Read_FilteredProperties_MatchLikeTheWholeObject(string json)
    {
        var set = SegmentSet.Compile(new[]
        {
            "viewed(category = \"Lamps\", last 7 days)",
            "viewed(category = \"Lamps\", brand = \"Acme\", last 7 days)",
            "viewed(category != \"Chairs\", last 7 days)",
            "viewed(category = \"Lämps\", last 7 days)",
            "viewed(total >= 200, last 7 days)",
            "viewed(vip = true, last 7 days)",
            "viewed(vip = false, last 7 days)",
            "viewed(price < 100, category = \"Lamps\", last 7 days)",
            "viewed(price > 100, last 7 days)",
        }.Select(t => SegmentDefinition.Parse(t).Definition!).ToList());
        var whole = JsonNode.Parse(json) as JsonObject;
        var values = set.NewPropertyValues();
        values.Read("""{"category":"Lamps","brand":"Acme","total":900,"vip":true}"""u8); // the previous event's values must not linger
        values.Read(Encoding.UTF8.GetBytes(json));

        var expected = set.Selectors.Select(s => s.Matches(new BehaviourEvent("track", "Product Viewed", "web", Today * 86_400_000L, whole))).ToList();
        var actual = set.Selectors.Select(s => s.Matches(new BehaviourEvent("track", "Product Viewed", "web", Today * 86_400_000L, null, values))).ToList();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Read_OnlyNamedScalars_AreKept_AndProductsWithoutOneAreLeftOut()
    {
        var values = SegmentSet.Compile([SegmentDefinition.Parse("viewed(category = \"Lamps\", last 7 days)").Definition!]).NewPropertyValues();
        values.Read("""{"category":"Lamps","price":80,"products":[{"category":"Chairs","price":5},{"price":6},{"category":{"deep":1}}]}"""u8);

        var category = values.IndexOf("category");
        Assert.Equal(-1, values.IndexOf("price"));
        Assert.True(values.TryGet(-1, category, out var own));
        Assert.Equal("Lamps", Encoding.UTF8.GetString(values.Text(own)));
        Assert.Equal(1, values.ProductCount);
        Assert.True(values.TryGet(0, category, out var product));
        Assert.Equal("Chairs", Encoding.UTF8.GetString(values.Text(product)));
    }

    [Fact]
    public void Read_LongTexts_GrowTheBuffer()
    {
        var values = SegmentSet.Compile([SegmentDefinition.Parse("viewed(category = \"Lamps\", last 7 days)").Definition!]).NewPropertyValues();
        var json = "{\"category\":\"" + new string('x', 5000) + "\",\"products\":[{\"category\":\"" + new string('y', 3000) + "\"}]}";
        values.Read(Encoding.UTF8.GetBytes(json));

        Assert.True(values.TryGet(-1, values.IndexOf("category"), out var own));
        Assert.Equal(new string('x', 5000), Encoding.UTF8.GetString(values.Text(own)));
        Assert.True(values.TryGet(0, values.IndexOf("category"), out var product));
        Assert.Equal(new string('y', 3000), Encoding.UTF8.GetString(values.Text(product)));
    }

    [Fact]
    public void Read_DamagedJson_LeavesNothing()
    {
        var values = SegmentSet.Compile([SegmentDefinition.Parse("viewed(category = \"Lamps\", last 7 days)").Definition!]).NewPropertyValues();
        values.Read("""{"category":"Lamps","products":[{"category":"Lamps"}],"""u8);

        Assert.False(values.TryGet(-1, values.IndexOf("category"), out _));
        Assert.Equal(0, values.ProductCount);
    }
}
