using Rapport.Core.Demo;

namespace Rapport.Core.Tests.Demo;

public sealed class DemoCategoriesTests
{
    [Theory]
    [InlineData("WHITE HANGING HEART T-LIGHT HOLDER", "Lighting")] // the sample's best seller: lighting before decor
    [InlineData("CHRISTMAS CRAFT HEART DECORATIONS", "Christmas")] // Christmas before decor
    [InlineData("JUMBO BAG RED RETROSPOT", "Bags")]
    [InlineData("PACK OF 72 RETROSPOT CAKE CASES", "Kitchen")]
    [InlineData("ASSORTED COLOUR BIRD ORNAMENT", "Garden")]
    [InlineData("pink/yellow flowers handbag", "Bags")] // any case; words split at anything but letters and hyphens
    [InlineData("PAINT YOUR OWN CANVAS SET", DemoCategories.Fallback)]
    [InlineData(null, DemoCategories.Fallback)]
    public void Of_Description_FirstMatchingRuleElseGifts(string? description, string category)
    {
        Assert.Equal(category, DemoCategories.Of(description));
        Assert.Contains(category, DemoCategories.All);
    }

    [Fact]
    public void All_OneWordEach_SoSegmentFieldsNeedNoQuotes()
    {
        Assert.All(DemoCategories.All, c => Assert.Matches("^[A-Z][a-z]+$", c));
        Assert.Equal(DemoCategories.All.Count, DemoCategories.All.Distinct().Count());
    }
}
