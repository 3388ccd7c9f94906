using Rapport.Core.Import;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Import;

public class OrderLineParserTests
{
    private static readonly string[] UciHeader = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];

    private static OrderLineParser OnlineRetail(ImportOptions? options = null) =>
        OrderLineParser.Create(
            UciHeader,
            ImportFormat.OnlineRetail.Map,
            options ?? new ImportOptions(),
            ImportFormat.OnlineRetail,
            new ValueParser([.. ValueParser.IsoFormats, .. ImportFormat.OnlineRetail.DateFormats]));

    private static CsvRecord Row(long line, string csv) => new(line, csv.Split(','));

    [Fact]
    public void Detect_UciHeader_IsOnlineRetail() =>
        Assert.Same(ImportFormat.OnlineRetail, ImportFormat.Detect(ImportKind.Orders, UciHeader));

    [Fact]
    public void Detect_OtherHeader_IsNull() =>
        Assert.Null(ImportFormat.Detect(ImportKind.Orders, ["order_id", "sku", "quantity", "unit_price", "placed_at"]));

    [Fact]
    public void Parse_UciSaleRow_MapsEveryField()
    {
        var line = OnlineRetail().Parse(Row(2, "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom")).Row!;

        Assert.Equal("536365", line.OrderId);
        Assert.Equal(1, line.LineNo);
        Assert.Equal("85123A", line.Sku);
        Assert.Equal(6, line.Quantity);
        Assert.Equal(25_500, line.UnitPriceE4);
        Assert.Equal(new DateTimeOffset(2010, 12, 1, 8, 26, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), line.PlacedAt);
        Assert.Equal(Identifier.StoreCustomerNo, line.IdKind);
        Assert.Equal("17850", line.IdValue);
        Assert.Equal("United Kingdom", line.Country);
        Assert.Equal("GBP", line.Currency);
        Assert.Equal("web", line.Channel);
        Assert.False(line.IsReturn);
        Assert.Equal(153_000, line.TotalE4);
    }

    [Fact]
    public void Parse_CancellationInvoice_IsReturnWithNegativeQuantity()
    {
        var line = OnlineRetail().Parse(Row(155, "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom")).Row!;

        Assert.True(line.IsReturn);
        Assert.Equal(-1, line.Quantity);
        Assert.Equal(-275_000, line.TotalE4);
    }

    [Fact]
    public void Parse_EmptyCustomerId_IsAnonymous()
    {
        var line = OnlineRetail().Parse(Row(1444, "536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom")).Row!;

        Assert.Null(line.IdKind);
        Assert.Null(line.IdValue);
    }

    [Fact]
    public void Parse_ChannelOption_OverridesThePreset()
    {
        var line = OnlineRetail(new ImportOptions { Channel = "store" })
            .Parse(Row(2, "536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom")).Row!;

        Assert.Equal("store", line.Channel);
    }

    [Theory]
    [InlineData(",85123A,X,6,2010-12-01 08:26:00,2.55,17850.0,UK", "missing order_id")]
    [InlineData("536365,,X,6,2010-12-01 08:26:00,2.55,17850.0,UK", "missing sku")]
    [InlineData("536365,85123A,X,six,2010-12-01 08:26:00,2.55,17850.0,UK", "quantity 'six' is not a number")]
    [InlineData("536365,85123A,X,6,2010-12-01 08:26:00,cheap,17850.0,UK", "unit_price 'cheap' is not a number")]
    [InlineData("536365,85123A,X,6,yesterday,2.55,17850.0,UK", "placed_at 'yesterday' is not a date")]
    public void Parse_BadValue_RefusesWithReason(string csv, string reason)
    {
        var parsed = OnlineRetail().Parse(Row(7, csv));

        Assert.Null(parsed.Row);
        Assert.StartsWith(reason, parsed.Reject);
    }

    [Fact]
    public void Parse_RejectedRowOfAnOrder_StillTakesItsLineNumber()
    {
        var parser = OnlineRetail();
        var first = parser.Parse(Row(2, "536365,A,X,1,2010-12-01 08:26:00,1,17850.0,UK")).Row!;
        var bad = parser.Parse(Row(3, "536365,B,X,one,2010-12-01 08:26:00,1,17850.0,UK"));
        var third = parser.Parse(Row(4, "536365,C,X,1,2010-12-01 08:26:00,1,17850.0,UK")).Row!;
        var other = parser.Parse(Row(5, "536366,C,X,1,2010-12-01 08:26:00,1,17850.0,UK")).Row!;

        Assert.NotNull(bad.Reject);
        Assert.Equal([1, 3, 1], new[] { first.LineNo, third.LineNo, other.LineNo });
    }

    [Fact]
    public void Parse_GenericFile_NegativeQuantityIsReturnAndKindColumnWins()
    {
        string[] header = ["order_id", "sku", "qty", "price", "date", "email", "kind"];
        var parser = OrderLineParser.Create(header, new Dictionary<string, string>(), new ImportOptions(), null, new ValueParser(ValueParser.IsoFormats));

        var negative = parser.Parse(Row(2, "1,A,-1,2,2024-01-01,ann@example.com,")).Row!;
        var labelled = parser.Parse(Row(3, "2,A,1,2,2024-01-01,ann@example.com,refund")).Row!;
        var sale = parser.Parse(Row(4, "3,A,1,2,2024-01-01,Ann@Example.com,")).Row!;

        Assert.True(negative.IsReturn);
        Assert.True(labelled.IsReturn);
        Assert.False(sale.IsReturn);
        Assert.Equal("store", sale.Channel);
        Assert.Equal((Identifier.Email, "ann@example.com"), (sale.IdKind, sale.IdValue));
        Assert.Null(sale.Currency);
    }
}
