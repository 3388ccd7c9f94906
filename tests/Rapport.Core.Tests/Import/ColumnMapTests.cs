using Rapport.Core.Import;

namespace Rapport.Core.Tests.Import;

public class ColumnMapTests
{
    [Theory]
    [InlineData("Stock Code")]
    [InlineData("stock_code")]
    [InlineData("StockCode")]
    [InlineData("SKU")]
    public void Resolve_HeaderSpellings_FindTheAlias(string header)
    {
        var map = ColumnMap.Resolve("orders", ["x", header], [new ImportField("sku", true, "stock_code")], new Dictionary<string, string>());

        Assert.Equal(1, map.IndexOf("sku"));
    }

    [Fact]
    public void Resolve_MapOverride_WinsOverAlias()
    {
        var map = ColumnMap.Resolve(
            "orders", ["sku", "Article"], [new ImportField("sku", true)], new Dictionary<string, string> { ["sku"] = "Article" });

        Assert.Equal(1, map.IndexOf("sku"));
    }

    [Fact]
    public void Resolve_RequiredColumnMissing_ListsColumnsFoundAndHowToMap()
    {
        var e = Assert.Throws<ImportInputException>(() => ColumnMap.Resolve(
            "orders", ["Invoice", "Item", "Qty"], OrderLineParser.Fields, new Dictionary<string, string>()));

        Assert.Contains("No column for 'sku'", e.Message);
        Assert.Contains("Columns found: Invoice, Item, Qty", e.Message);
        Assert.Contains("--map sku=COLUMN", e.Message);
        Assert.Contains("--map unit_price=COLUMN", e.Message);
        Assert.DoesNotContain("--map order_id", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Resolve_MapToUnknownColumn_SaysSo()
    {
        var e = Assert.Throws<ImportInputException>(() => ColumnMap.Resolve(
            "orders", ["a"], [new ImportField("sku", true)], new Dictionary<string, string> { ["sku"] = "Nope" }));

        Assert.Contains("there is no column 'Nope'", e.Message);
    }

    [Fact]
    public void Resolve_MapUnknownTarget_ListsTheFields()
    {
        var e = Assert.Throws<ImportInputException>(() => ColumnMap.Resolve(
            "products", ["a"], ProductRowParser.Fields, new Dictionary<string, string> { ["colour"] = "a" }));

        Assert.Contains("'colour' is not a products field", e.Message);
        Assert.Contains("sku, name, category", e.Message);
    }

    [Fact]
    public void Resolve_EmptyMapSource_TurnsAnOptionalTargetOff()
    {
        var map = ColumnMap.Resolve(
            "orders", ["customer_id"], [new ImportField("customer_no", false, "customer_id")], new Dictionary<string, string> { ["customer_no"] = "" });

        Assert.False(map.Has("customer_no"));
    }

    [Theory]
    [InlineData("First Name", "firstName")]
    [InlineData("first_name", "firstName")]
    [InlineData("firstName", "firstName")]
    [InlineData("CustomerID", "customerId")]
    [InlineData(" date-of-birth ", "dateOfBirth")]
    [InlineData("CITY", "city")]
    public void CamelCase_HeaderNames_BecomeSegmentTraitNames(string header, string expected) =>
        Assert.Equal(expected, ColumnMap.CamelCase(header));
}
