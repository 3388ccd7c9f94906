using Rapport.Engine.Segments;

namespace Rapport.Engine.Tests.Segments;

public sealed class SegmentValidationTests
{
    [Theory]
    [InlineData("value.revnue > 5", 1, "did you mean 'value.revenue'")]
    [InlineData("foo.bar = 1", 1, "a field starts with one of")]
    [InlineData("traits.plan = \"pro\" and foo.bar = 1", 25, "unknown field 'foo.bar'")]
    [InlineData("value.revenue > \"abc\"", 17, "value.revenue is a number")]
    [InlineData("value.revenue > \"12\"", 17, "write 12 without quotes")]
    [InlineData("value.tier < \"gold\"", 14, "compares numbers; value.tier is text")]
    [InlineData("value.tier = 5", 14, "value.tier is text")]
    [InlineData("traits.age > \"x\"", 14, "compares numbers")]
    [InlineData("value.orders = 2.5", 16, "whole number")]
    [InlineData("value.rfm_r = 7", 15, "between 1 and 5")]
    [InlineData("prediction.clv_percentile >= 80", 30, "write 0.8 for 80%")]
    [InlineData("traits.country in (\"DE\", 1)", 20, "not a mix")]
    [InlineData("bought(last 0 days)", 13, "at least 1 day")]
    [InlineData("bought(last -5 days)", 13, "at least 1 day")]
    [InlineData("bought(last 4000 days)", 13, "at most 3650 days")]
    [InlineData("bought(last 7.5 days)", 13, "whole days")]
    [InlineData("bought(category = \"Lamps\")", 1, "needs a window")]
    [InlineData("count(track \"Order Completed\", last 90 days) >= 2.5", 49, "whole numbers")]
    [InlineData("viewed(last 7 days) < 0", 23, "never true")]
    [InlineData("viewed(last 7 days) >= 0", 24, "always true")]
    [InlineData("viewed(last 7 days) >= -1", 24, "never negative")]
    [InlineData("count(click, last 7 days)", 7, "unknown event type 'click'")]
    [InlineData("count(track \"Segment Entered\", last 7 days)", 7, "membership event")]
    [InlineData("bought(channel = \"fax\", last 7 days)", 8, "channel is one of")]
    [InlineData("bought(category > \"Lamps\", last 7 days)", 8, "compares numbers")]
    public void Parse_MeaningMistake_ReportsColumnAndReason(string text, int column, string reason)
    {
        var result = SegmentDefinition.Parse(text);

        var error = Assert.Single(result.Errors);
        Assert.Null(result.Definition);
        Assert.Equal(SourcePosition.AtColumn(1, column), error.Position);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("value.revenue >", 16, "expected a value")]
    [InlineData("traits.plan = pro", 15, "text values are quoted: \"pro\"")]
    [InlineData("bought(last 7 days) and", 24, "found the end")]
    [InlineData("revenue > 5", 1, "is not a condition")]
    [InlineData("value.revenue > 5 value.orders > 1", 19, "join conditions with 'and' or 'or'")]
    [InlineData("traits.plan = \"a", 15, "no closing \"")]
    [InlineData("bought(last 7 days, last 8 days)", 21, "one window")]
    [InlineData("bought(last 7 weeks)", 15, "last 7 days")]
    [InlineData("foo(last 7 days)", 1, "unknown behaviour 'foo('")]
    [InlineData("(value.orders > 1", 18, "')' to close the '(' opened at line 1, column 1")]
    [InlineData("value.orders > 1 && value.aov > 2", 18, "write 'and', 'or' and 'not' as words")]
    [InlineData("bought(last 7 days) >= many", 24, "whole number of times")]
    [InlineData("count(\"Order Completed\", last 7 days)", 7, "starts with the event type")]
    [InlineData("traits. = 1", 9, "expected a field name")]
    [InlineData("value.orders > 1 and or value.aov > 1", 22, "expected a condition before 'or'")]
    public void Parse_SyntaxMistake_ReportsColumnAndReason(string text, int column, string reason)
    {
        var error = Assert.Single(SegmentDefinition.Parse(text).Errors);

        Assert.Equal(SourcePosition.AtColumn(1, column), error.Position);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MistakeOnSecondLine_ReportsLine()
    {
        var error = Assert.Single(SegmentDefinition.Parse("bought(last 7 days)\n  and value.revnue > 1").Errors);

        Assert.Equal(SourcePosition.AtColumn(2, 7), error.Position);
        Assert.Equal("line 2, column 7", error.Position.ToString());
    }

    [Fact]
    public void Parse_SeveralMeaningMistakes_ReportsEach()
    {
        var errors = SegmentDefinition.Parse("value.revnue > 1 and bought(last 0 days) and value.tier > 2").Errors;

        Assert.Equal([1, 34, 59], errors.Select(e => e.Position.Column));
    }

    [Theory]
    [InlineData("""{"field":"value.revnue","op":">","value":1}""", "$.field", "did you mean 'value.revenue'")]
    [InlineData("""{"and":[{"field":"value.orders","op":">","value":1},{"field":"value.revenue","op":">","value":"abc"}]}""", "$.and[1].value", "is a number")]
    [InlineData("""{"event":{"type":"track","name":"Order Completed","lastDays":0},"atLeast":2}""", "$.event.lastDays", "at least 1 day")]
    [InlineData("""{"event":{"type":"track","lastDays":4000}}""", "$.event.lastDays", "at most 3650")]
    [InlineData("""{"event":{"type":"track","name":"Order Completed"}}""", "$.event", "needs a window")]
    [InlineData("""{"event":{"type":"track","lastDays":"7"}}""", "$.event.lastDays", "without quotes")]
    [InlineData("""{"event":{"type":"track","lastDays":7},"count":-1}""", "$.count", "never negative")]
    [InlineData("""{"event":{"type":"tap","lastDays":7}}""", "$.event.type", "unknown event type")]
    [InlineData("""{"field":"value.revenue","op":"~","value":1}""", "$.op", "\"op\" is one of")]
    [InlineData("""{"feild":"value.revenue"}""", "$", "found \"feild\"")]
    [InlineData("""{"field":"value.revenue","op":">","value":1,"extra":2}""", "$.extra", "unknown key \"extra\"")]
    [InlineData("""{"and":[]}""", "$.and", "non-empty array")]
    [InlineData("""{"field":"traits.plan","op":"exists","value":1}""", "$.value", "takes no value")]
    [InlineData("""{"field":"traits.plan","op":"in","value":"pro"}""", "$.value", "non-empty array")]
    [InlineData("""{"event":{"type":"track","where":[{"property":"category","op":"in","value":"x"}],"lastDays":7}}""", "$.event.where[0].op", "\"op\" is one of")]
    [InlineData("""{"event":{"type":"track","where":[{"property":"category","op":"=","value":[1]}],"lastDays":7}}""", "$.event.where[0].value", "expected a number, a string")]
    [InlineData("""{"event":{"type":"track","lastDays":7},"atLeast":2,"op":">="}""", "$.op", "remove \"op\"")]
    [InlineData("""{"field":"value.revenue","and":[]}""", "$", "exactly one of")]
    [InlineData("""[1]""", "$", "expected a condition object")]
    public void FromJson_Mistake_ReportsPathAndReason(string json, string path, string reason)
    {
        var result = SegmentDefinition.FromJson(json);

        Assert.Null(result.Definition);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Position.Path);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_SeveralMistakes_ReportsEachPath()
    {
        var result = SegmentDefinition.FromJson("""{"or":[{"field":"prediction.p_alive","op":"<","value":"0.3"},{"event":{"type":"track","lastDays":7},"count":-1,"op":">="}]}""");

        Assert.Equal(["$.or[0].value", "$.or[1].count"], result.Errors.Select(e => e.Position.Path));
    }

    [Fact]
    public void FromJson_BrokenJson_ReportsLineAndColumn()
    {
        var error = Assert.Single(SegmentDefinition.FromJson("{\n  \"field\": }").Errors);

        Assert.Equal(2, error.Position.Line);
        Assert.Contains("not valid JSON", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_BasePath_PrefixesPositions()
    {
        var result = SegmentDefinition.FromJson(System.Text.Json.Nodes.JsonNode.Parse("""{"field":"value.nope","op":"=","value":1}"""), path: "$.definition");

        Assert.Equal("$.definition.field", Assert.Single(result.Errors).Position.Path);
    }

    [Fact]
    public void Parse_TooManyConditions_IsRejected()
    {
        var text = string.Join(" or ", Enumerable.Range(0, SegmentValidator.MaxConditions + 1).Select(i => $"value.orders = {i}"));

        Assert.Contains("at most 200 conditions", Assert.Single(SegmentDefinition.Parse(text).Errors).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void With_NewFamily_MakesItsFieldsValid()
    {
        var fields = SegmentFields.Default.With(new FieldFamily(
            "affinity", "Category affinity", [], new FieldSpec("*", FieldType.Number, "Share of interest", 0, 1)));

        Assert.True(SegmentDefinition.Parse("affinity.Lamps >= 0.3", fields).Ok);
        Assert.Contains("between 0 and 1", SegmentDefinition.Parse("affinity.Lamps >= 3", fields).Errors[0].Reason, StringComparison.Ordinal);
        Assert.False(SegmentDefinition.Parse("affinity.Lamps >= 0.3").Ok);
    }
}
