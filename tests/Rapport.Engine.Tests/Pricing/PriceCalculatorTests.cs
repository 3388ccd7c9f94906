using Rapport.Engine.Pricing;

namespace Rapport.Engine.Tests.Pricing;

public sealed class PriceCalculatorTests
{
    private static readonly VolumeRule CoffeeBreaks = new(1, VolumeRule.Product, "COFFEE", [new(10, DiscountPercent: 10), new(50, UnitPrice: 7m)]);
    private static readonly VolumeRule TeaCategory = new(2, VolumeRule.Category, "tea", [new(6, DiscountPercent: 5)]);

    [Theory]
    [InlineData(9, 10.00, "list")]
    [InlineData(10, 9.00, "volume:1")]
    [InlineData(49, 9.00, "volume:1")]
    [InlineData(50, 7.00, "volume:1")]
    public void Price_ProductBreaks_HighestBreakReached(long quantity, decimal unit, string source)
    {
        var quote = PriceCalculator.Price([new QuoteLine("COFFEE", null, 10m, quantity)], [CoffeeBreaks], []);

        var line = Assert.Single(quote.Lines);
        Assert.Equal((unit, source), (line.UnitPrice, line.Source));
        Assert.Equal(unit * quantity, quote.Total);
        Assert.Equal((10m - unit) * quantity, quote.Saving);
    }

    [Fact]
    public void Price_CategoryBreak_CountsAllUnitsOfTheCategory()
    {
        var quote = PriceCalculator.Price([new("GREEN", "tea", 4m, 3), new("BLACK", "tea", 2m, 3)], [TeaCategory], []);

        Assert.Equal([3.80m, 1.90m], quote.Lines.Select(l => l.UnitPrice)); // 6 tea units together reach the break
        Assert.Equal(17.10m, quote.Total);
    }

    [Fact]
    public void Price_ContractAndVolume_LowestWinsNotStacked()
    {
        var contract = new ContractTerms(9, new Dictionary<string, decimal> { ["COFFEE"] = 8.50m }, 12m);

        var quote = PriceCalculator.Price([new("COFFEE", null, 10m, 10), new("MUG", null, 5m, 1)], [CoffeeBreaks], [contract]);

        Assert.Equal(8.50m, quote.Lines[0].UnitPrice); // negotiated 8.50 beats volume 9.00 and 12% off (8.80)
        Assert.Equal("contract:9", quote.Lines[0].Source);
        Assert.Equal(4.40m, quote.Lines[1].UnitPrice); // 12% off the list price
        Assert.Equal(89.40m, quote.Total);
    }

    [Fact]
    public void VolumeRule_Validate_SaysWhatIsWrong()
    {
        Assert.Null(CoffeeBreaks.Validate());
        Assert.NotNull((CoffeeBreaks with { Scope = "brand" }).Validate());
        Assert.NotNull((CoffeeBreaks with { Breaks = [new(1, UnitPrice: 1m)] }).Validate());
        Assert.NotNull((CoffeeBreaks with { Breaks = [new(5, UnitPrice: 1m, DiscountPercent: 3)] }).Validate());
        Assert.NotNull((CoffeeBreaks with { Breaks = [] }).Validate());
    }

    [Fact]
    public void ContractRules_StatusByDay_AndShortfall()
    {
        var start = new DateOnly(2026, 1, 1);
        var end = new DateOnly(2026, 12, 31);

        Assert.Equal(ContractRules.Pending, ContractRules.Status(false, start, end, new DateOnly(2025, 12, 31)));
        Assert.Equal(ContractRules.Active, ContractRules.Status(false, start, end, end));
        Assert.Equal(ContractRules.Expired, ContractRules.Status(false, start, end, new DateOnly(2027, 1, 1)));
        Assert.Equal(ContractRules.Cancelled, ContractRules.Status(true, start, end, end));
        Assert.Equal(300m, ContractRules.Shortfall(1000m, 700m));
        Assert.Equal(0m, ContractRules.Shortfall(1000m, 1200m));
        Assert.NotNull(ContractRules.Validate(1, 2, start, end, 5, 0, null));
        Assert.NotNull(ContractRules.Validate(1, null, end, start, 5, 0, null));
        Assert.NotNull(ContractRules.Validate(1, null, start, end, 0, 0, null));
        Assert.Null(ContractRules.Validate(1, null, start, end, 5, 100, null));
    }
}
