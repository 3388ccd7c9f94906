using System.Globalization;

namespace Rapport.Engine.Segments;

/// <summary>
/// Where something is in a definition: a JSON path (<c>$.and[1].field</c>) for JSON, or a
/// line and column (1-based) for the text form.
/// </summary>
public readonly record struct SourcePosition(string? Path, int Line, int Column)
{
    public static SourcePosition AtPath(string path) => new(path, 0, 0);

    public static SourcePosition AtColumn(int line, int column) => new(null, line, column);

    public override string ToString() => Path ?? $"line {Line}, column {Column}";
}

/// <summary>A definition mistake: where it is and what is wrong with it (and how to fix it).</summary>
public sealed record SegmentError(SourcePosition Position, string Reason)
{
    public override string ToString() => $"{Position}: {Reason}";
}

/// <summary>Comparison operators. <see cref="In"/> and <see cref="Exists"/> apply to fields only.</summary>
public enum CompareOp
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Exists,
}

public enum LiteralKind
{
    Number,
    Text,
    Boolean,
}

/// <summary>A constant in a definition: a number, a string or true/false.</summary>
public readonly record struct Literal(LiteralKind Kind, double Number, string? Text)
{
    public static Literal Of(double number) => new(LiteralKind.Number, number, null);

    public static Literal Of(string text) => new(LiteralKind.Text, double.NaN, text);

    public static Literal Of(bool value) => new(LiteralKind.Boolean, value ? 1 : 0, null);

    public bool Boolean => Kind == LiteralKind.Boolean && Number != 0;

    public bool IsWholeNumber => Kind == LiteralKind.Number && Math.Abs(Number) < 1e15 && Number == Math.Floor(Number);

    /// <summary>How the text form writes it: shortest round-tripping number, quoted string, true/false.</summary>
    public override string ToString() => Kind switch
    {
        LiteralKind.Number => FormatNumber(Number),
        LiteralKind.Boolean => Boolean ? "true" : "false",
        _ => Quote(Text!),
    };

    public static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>What kind of value this is, for error messages.</summary>
    public string Describe() => Kind switch
    {
        LiteralKind.Number => $"the number {this}",
        LiteralKind.Boolean => $"the boolean {this}",
        _ => $"the text {this}",
    };
}

public static class CompareOps
{
    public static string Symbol(CompareOp op) => op switch
    {
        CompareOp.Eq => "=",
        CompareOp.Ne => "!=",
        CompareOp.Lt => "<",
        CompareOp.Le => "<=",
        CompareOp.Gt => ">",
        CompareOp.Ge => ">=",
        CompareOp.In => "in",
        CompareOp.Exists => "exists",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static CompareOp? Parse(string symbol) => symbol switch
    {
        "=" or "==" => CompareOp.Eq,
        "!=" or "<>" => CompareOp.Ne,
        "<" => CompareOp.Lt,
        "<=" => CompareOp.Le,
        ">" => CompareOp.Gt,
        ">=" => CompareOp.Ge,
        "in" => CompareOp.In,
        "exists" => CompareOp.Exists,
        _ => null,
    };

    public static bool IsOrdering(CompareOp op) => op is CompareOp.Lt or CompareOp.Le or CompareOp.Gt or CompareOp.Ge;

    public static bool Compare(double left, CompareOp op, double right) => op switch
    {
        CompareOp.Eq => left == right,
        CompareOp.Ne => left != right,
        CompareOp.Lt => left < right,
        CompareOp.Le => left <= right,
        CompareOp.Gt => left > right,
        CompareOp.Ge => left >= right,
        _ => false,
    };
}
