using System.Globalization;

namespace Rapport.Engine.Segments;

/// <summary>
/// One field of a customer: text, number, or both (a trait "42" reads as the number 42).
/// Parsed once when loaded, so evaluation never parses.
/// </summary>
public readonly struct FieldValue
{
    private FieldValue(string? text, double number, bool hasNumber)
    {
        Text = text;
        Number = number;
        HasNumber = hasNumber;
    }

    public static FieldValue Missing => default;

    public string? Text { get; }

    public double Number { get; }

    public bool HasNumber { get; }

    public bool HasValue => HasNumber || Text is not null;

    public static FieldValue Of(double number) =>
        double.IsNaN(number) ? default : new(null, number, true);

    public static FieldValue Of(double? number) => number is { } n ? Of(n) : default;

    public static FieldValue Of(bool value) => new(value ? "true" : "false", value ? 1 : 0, false);

    /// <summary>Text, which also compares as a number when it reads as one.</summary>
    public static FieldValue Of(string? text)
    {
        if (text is null)
        {
            return default;
        }

        var isNumber = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n);
        return new(text, isNumber ? n : double.NaN, isNumber);
    }

    public override string ToString() => Text ?? (HasNumber ? Literal.FormatNumber(Number) : "(missing)");
}
