using System.Text.Json.Nodes;
using Rapport.Engine.Segments;

namespace Rapport.Engine.Tests.Segments;

public sealed class SegmentTextTests
{
    public static TheoryData<string> Canonical => new()
    {
        "count(track \"Order Completed\", last 90 days) >= 2",
        "viewed(category = \"Lamps\", last 7 days) and not bought(category = \"Lamps\", last 7 days)",
        "prediction.p_alive < 0.3 and prediction.clv_percentile >= 0.8",
        "traits.plan = \"pro\" or traits.plan = \"team\"",
        "(traits.plan = \"pro\" or value.orders >= 3) and not traits.email exists",
        "traits.country in (\"DE\", \"AT\", \"CH\")",
        "value.rfm_r in (4, 5)",
        "traits.\"first name\" = \"Ann\"",
        "traits.vip = true",
        "value.tier != \"bronze\"",
        "count(page, last 1 day) > 3",
        "count(track, channel = \"store\", last 30 days) = 0",
        "count(track \"Product Added\", price >= 100, last 14 days) <= 2",
        "added(last 3 days)",
        "count(track \"Order Completed\", category = \"Lamps\", channel = \"store\", last 365 days) != 1",
        "bought(category = \"Lamps\", channel = \"store\", last 365 days)",
        "not (bought(last 30 days) or viewed(last 30 days))",
        "value.revenue >= 1234.5 and value.margin < -10",
        "bought(\"last\" = \"x\", last 7 days)",
    };

    [Theory]
    [MemberData(nameof(Canonical))]
    public void Parse_CanonicalText_WritesItBackUnchanged(string text)
    {
        var result = SegmentDefinition.Parse(text);

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal(text, result.Definition!.Text);
    }

    [Theory]
    [MemberData(nameof(Canonical))]
    public void FromJson_CanonicalJsonOfText_GivesSameTextAndJson(string text)
    {
        var json = SegmentDefinition.Parse(text).Definition!.ToJsonString();

        var back = SegmentDefinition.FromJson(json);

        Assert.True(back.Ok, string.Join("; ", back.Errors));
        Assert.Equal(text, back.Definition!.Text);
        Assert.Equal(json, back.Definition.ToJsonString());
    }

    [Theory]
    [InlineData("count(track \"Order Completed\", last 90 days) at least 2 times", "count(track \"Order Completed\", last 90 days) >= 2")]
    [InlineData("count(track \"Order Completed\", last 90 days) at most 1 time", "count(track \"Order Completed\", last 90 days) <= 1")]
    [InlineData("count(track \"Order Completed\", last 90 days) exactly 3 times", "count(track \"Order Completed\", last 90 days) = 3")]
    [InlineData("count(track \"Product Viewed\", last 7 days) >= 1", "viewed(last 7 days)")]
    [InlineData("COUNT(TRACK 'Order Completed', LAST 1 DAYS)", "bought(last 1 day)")]
    [InlineData("a.b == 1", "a.b = 1")]
    [InlineData("traits.plan = 'pro' AND (value.orders > 1 AND (value.aov > 2))", "traits.plan = \"pro\" and value.orders > 1 and value.aov > 2")]
    [InlineData("traits.x <> \"y\"", "traits.x != \"y\"")]
    [InlineData("traits.first_name = \"A \\\"B\\\" C\"", "traits.first_name = \"A \\\"B\\\" C\"")]
    [InlineData("value.revenue >= 1e3", "value.revenue >= 1000")]
    [InlineData("not not traits.a exists", "not not traits.a exists")]
    public void Parse_AlternativeSpelling_WritesCanonicalText(string text, string canonical)
    {
        var node = SegmentTextParserFacade(text);

        Assert.Equal(canonical, SegmentText.Write(node));
    }

    [Fact]
    public void Parse_MultiLineText_KeepsMeaning()
    {
        var result = SegmentDefinition.Parse("bought(last 90 days)\n  and\n  traits.plan = \"pro\"");

        Assert.Equal("bought(last 90 days) and traits.plan = \"pro\"", result.Definition!.Text);
    }

    [Fact]
    public void ToJson_OrderCompletedTwice_IsTheDocumentedShape()
    {
        var json = SegmentDefinition.Parse("count(track \"Order Completed\", category = \"Lamps\", last 90 days) >= 2").Definition!.ToJsonString();

        Assert.Equal(
            """{"event":{"type":"track","name":"Order Completed","where":[{"property":"category","op":"=","value":"Lamps"}],"lastDays":90},"op":">=","count":2}""",
            json);
    }

    [Fact]
    public void FromJson_AtLeastShorthand_IsOpAndCount()
    {
        var json = JsonNode.Parse("""{"and":[{"event":{"type":"track","name":"Order Completed","lastDays":90},"atLeast":2},{"not":{"field":"traits.email","op":"exists"}}]}""");

        var result = SegmentDefinition.FromJson(json);

        Assert.Equal("count(track \"Order Completed\", last 90 days) >= 2 and not traits.email exists", result.Definition!.Text);
    }

    [Fact]
    public void FromJson_NestedAndInsideAnd_IsFlattened()
    {
        var json = JsonNode.Parse("""{"and":[{"field":"value.orders","op":">","value":1},{"and":[{"field":"value.aov","op":">","value":2}]}]}""");

        Assert.Equal("value.orders > 1 and value.aov > 2", SegmentDefinition.FromJson(json).Definition!.Text);
    }

    /// <summary>Parses without field validation, for spellings whose fields do not exist.</summary>
    private static SegmentNode SegmentTextParserFacade(string text) => SegmentTextParser.Parse(text);
}
