using System.Globalization;
using Rapport.Engine.Identity;

namespace Rapport.Core.Import;

/// <summary>
/// Reads the values of an import row: invariant-culture numbers, UTC timestamps, identifiers.
/// Each Try method gives the reason a value was refused, which ends up in the reject file.
/// </summary>
public sealed class ValueParser
{
    /// <summary>ISO 8601 in the shapes exports use. Times without an offset are read as UTC.</summary>
    public static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd",
    ];

    private readonly string[] _dateFormats;
    private string? _lastDate;
    private long _lastDateValue;

    public ValueParser(IReadOnlyList<string> dateFormats)
    {
        _dateFormats = dateFormats.ToArray();
    }

    public IReadOnlyList<string> DateFormats => _dateFormats;

    public static bool TryParseDecimal(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);

    /// <summary>Money to 1/10,000 units; null reason on success.</summary>
    public static string? TryParseMoney(string text, string field, out decimal value)
    {
        if (!TryParseDecimal(text, out value))
        {
            return $"{field} '{text}' is not a number";
        }

        return Math.Abs(value) >= 900_000_000_000_000m ? $"{field} '{text}' is too large" : null;
    }

    /// <summary>Whole numbers, also written as "6.0" by spreadsheet exports.</summary>
    public static string? TryParseQuantity(string text, out long value)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        if (TryParseDecimal(text, out var d) && d == decimal.Truncate(d) && Math.Abs(d) < 1_000_000_000_000m)
        {
            value = (long)d;
            return null;
        }

        return TryParseDecimal(text, out _) ? $"quantity '{text}' is not a whole number" : $"quantity '{text}' is not a number";
    }

    /// <summary>UTC milliseconds. Rows of one order share a timestamp, so the last one is cached.</summary>
    public string? TryParseTimestamp(string text, string field, out long unixMs)
    {
        if (ReferenceEquals(text, _lastDate) || text == _lastDate)
        {
            unixMs = _lastDateValue;
            return null;
        }

        if (DateTimeOffset.TryParseExact(
                text, _dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            unixMs = parsed.ToUnixTimeMilliseconds();
            _lastDate = text;
            _lastDateValue = unixMs;
            return null;
        }

        unixMs = 0;
        return $"{field} '{text}' is not a date in the format {string.Join(" or ", _dateFormats.Take(3))}{(_dateFormats.Length > 3 ? " (or another ISO 8601 form)" : "")}; set --date-format";
    }

    /// <summary>Yes/no, true/false, 1/0 or a stock count (more than zero means available).</summary>
    public static string? TryParseAvailable(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "1" or "true" or "yes" or "y" or "t" or "in stock" or "available":
                value = true;
                return null;
            case "0" or "false" or "no" or "n" or "f" or "out of stock" or "unavailable":
                value = false;
                return null;
        }

        if (TryParseDecimal(text, out var d))
        {
            value = d > 0;
            return null;
        }

        value = false;
        return $"available '{text}' is not yes/no, true/false or a number";
    }

    /// <summary>
    /// The canonical value of an identifier, or the reason it is unusable. Store customer
    /// numbers written as floats by spreadsheets ("17850.0") lose the ".0".
    /// </summary>
    public static string? TryNormalizeIdentifier(string kind, string raw, out string value)
    {
        var text = raw;
        if (kind == Identifier.StoreCustomerNo)
        {
            text = StripFloatSuffix(text);
        }

        value = Identifier.Normalize(kind, text).Value;
        if (value.Length == 0)
        {
            return $"{kind} '{raw}' is empty once normalised";
        }

        if (kind == Identifier.Email && (value.IndexOf('@', StringComparison.Ordinal) <= 0 || value.EndsWith('@')))
        {
            return $"email '{raw}' is not an email address";
        }

        return null;
    }

    /// <summary>"17850.0" → "17850"; anything that is not digits followed by ".0…" is returned as is.</summary>
    public static string StripFloatSuffix(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return text;
        }

        var span = text.AsSpan();
        return !span[..dot].ContainsAnyExcept("0123456789") && !span[(dot + 1)..].ContainsAnyExcept('0') ? text[..dot] : text;
    }
}
