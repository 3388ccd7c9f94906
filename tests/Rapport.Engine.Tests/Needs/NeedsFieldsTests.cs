using Rapport.Engine.Segments;

namespace Rapport.Engine.Tests.Needs;

/// <summary>needs.* in segment definitions: keyed fields, validation, and the canonical text.</summary>
public sealed class NeedsFieldsTests
{
    [Theory]
    [InlineData("needs.affinity.Lamps >= 0.5", "needs.affinity.Lamps >= 0.5")]
    [InlineData("needs.affinity.\"Home Decor\" > 0.2", "needs.affinity.\"Home Decor\" > 0.2")]
    [InlineData("needs.channel.store >= 0.5 and needs.price_sensitivity < 0.2", "needs.channel.store >= 0.5 and needs.price_sensitivity < 0.2")]
    [InlineData("needs.cluster = 'Loyal store regulars'", "needs.cluster = \"Loyal store regulars\"")]
    public void Parse_NeedsFields_CanonicalTextReadsBackTheSame(string text, string canonical)
    {
        var parsed = SegmentDefinition.Parse(text);

        Assert.Empty(parsed.Errors);
        Assert.Equal(canonical, parsed.Definition!.Text);
        Assert.Equal(canonical, SegmentDefinition.Parse(parsed.Definition.Text).Definition!.Text);
    }

    [Theory]
    [InlineData("needs.affinity >= 0.5", "needs a name after 'affinity.'")]
    [InlineData("needs.affinity.Lamps >= 50", "outside that range")]
    [InlineData("needs.price_sensitivty > 0.5", "did you mean 'needs.price_sensitivity'")]
    [InlineData("needs.cluster > 2", "text")]
    public void Parse_BadNeedsField_SaysWhy(string text, string reason)
    {
        var error = Assert.Single(SegmentDefinition.Parse(text).Errors);

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}
