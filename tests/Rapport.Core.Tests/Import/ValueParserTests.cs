using Rapport.Core.Import;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Import;

public class ValueParserTests
{
    [Theory]
    [InlineData("6", 6)]
    [InlineData("-12", -12)]
    [InlineData("6.0", 6)]
    [InlineData(" 3 ", 3)]
    public void TryParseQuantity_WholeNumbers_Parse(string text, long expected)
    {
        Assert.Null(ValueParser.TryParseQuantity(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1.5", "quantity '1.5' is not a whole number")]
    [InlineData("six", "quantity 'six' is not a number")]
    public void TryParseQuantity_Invalid_GivesReason(string text, string reason) =>
        Assert.Equal(reason, ValueParser.TryParseQuantity(text, out _));

    [Fact]
    public void TryParseMoney_NotANumber_GivesReason() =>
        Assert.Equal("unit_price '2,55€' is not a number", ValueParser.TryParseMoney("2,55€", "unit_price", out _));

    [Theory]
    [InlineData("2010-12-01 08:26:00", "2010-12-01T08:26:00Z")]
    [InlineData("2010-12-01T08:26:00Z", "2010-12-01T08:26:00Z")]
    [InlineData("2010-12-01T09:26:00+01:00", "2010-12-01T08:26:00Z")]
    [InlineData("2010-12-01", "2010-12-01T00:00:00Z")]
    public void TryParseTimestamp_IsoForms_AreUtc(string text, string expected)
    {
        var parser = new ValueParser(ValueParser.IsoFormats);

        Assert.Null(parser.TryParseTimestamp(text, "placed_at", out var ms));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(ms));
    }

    [Fact]
    public void TryParseTimestamp_CustomFormat_IsUsedExactly()
    {
        var parser = new ValueParser(["dd/MM/yyyy HH:mm"]);

        Assert.Null(parser.TryParseTimestamp("01/12/2010 08:26", "placed_at", out var ms));
        Assert.Equal(new DateTimeOffset(2010, 12, 1, 8, 26, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), ms);
        Assert.Contains("--date-format", parser.TryParseTimestamp("2010-12-01", "placed_at", out _));
    }

    [Theory]
    [InlineData("17850.0", "17850")]
    [InlineData("17850", "17850")]
    [InlineData("A17.0", "A17.0")]
    [InlineData("17850.5", "17850.5")]
    public void TryNormalizeIdentifier_StoreCustomerNoWrittenAsFloat_LosesTheFraction(string raw, string expected)
    {
        Assert.Null(ValueParser.TryNormalizeIdentifier(Identifier.StoreCustomerNo, raw, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void TryNormalizeIdentifier_Email_IsLowerCasedAndChecked()
    {
        Assert.Null(ValueParser.TryNormalizeIdentifier(Identifier.Email, " Ann@Example.COM ", out var value));
        Assert.Equal("ann@example.com", value);
        Assert.Equal("email 'ann.example.com' is not an email address", ValueParser.TryNormalizeIdentifier(Identifier.Email, "ann.example.com", out _));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("0", false)]
    [InlineData("12", true)]
    [InlineData("out of stock", false)]
    public void TryParseAvailable_CommonSpellings_Parse(string text, bool expected)
    {
        Assert.Null(ValueParser.TryParseAvailable(text, out var value));
        Assert.Equal(expected, value);
    }
}
