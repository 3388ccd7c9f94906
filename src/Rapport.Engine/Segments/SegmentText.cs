using System.Text;

namespace Rapport.Engine.Segments;

/// <summary>
/// Writes the canonical text form. Parsing what it writes gives the same tree back, and
/// writing that tree gives the same text: the text round-trips.
/// </summary>
public static class SegmentText
{
    /// <summary>Behaviour shorthands: viewed(...) is count(track "Product Viewed", ...) and so on.</summary>
    public static readonly IReadOnlyList<(string Function, string EventName)> Shorthands =
    [
        ("viewed", "Product Viewed"),
        ("added", "Product Added"),
        ("bought", "Order Completed"),
    ];

    public static string? Shorthand(string function) =>
        Shorthands.FirstOrDefault(s => s.Function == function).EventName;

    public static string Write(SegmentNode node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    /// <summary>A selector's identity: filters sorted, so the same events share one counter whatever the order written.</summary>
    internal static string WriteSelectorKey(EventSelector s)
    {
        var sb = new StringBuilder(s.Type);
        if (s.Name is not null)
        {
            sb.Append(' ').Append(Literal.Quote(s.Name));
        }

        foreach (var f in s.Where.Select(WriteFilter).Order(StringComparer.Ordinal))
        {
            sb.Append(", ").Append(f);
        }

        return sb.ToString();
    }

    public static string WriteField(string field)
    {
        var (family, key) = SegmentFields.Split(field);
        // Dotted parts are written one by one (needs.affinity."Home Decor"): the parser joins
        // them with dots again, so any key reads back the same.
        return family + "." + string.Join(".", key.Split('.').Select(part => IsIdentifier(part) ? part : Literal.Quote(part)));
    }

    private static void Write(StringBuilder sb, SegmentNode node)
    {
        switch (node)
        {
            case OrNode or:
                Join(sb, or.Items, " or ", child => child is OrNode);
                break;
            case AndNode and:
                Join(sb, and.Items, " and ", child => child is OrNode or AndNode);
                break;
            case NotNode not:
                sb.Append("not ");
                WriteMaybeParenthesized(sb, not.Item, not.Item is OrNode or AndNode);
                break;
            case FieldNode f:
                WriteFieldNode(sb, f);
                break;
            case EventNode e:
                WriteEventNode(sb, e);
                break;
            default:
                throw new ArgumentException($"Unknown node {node.GetType().Name}.", nameof(node));
        }
    }

    private static void Join(StringBuilder sb, IReadOnlyList<SegmentNode> items, string separator, Func<SegmentNode, bool> needsParentheses)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(separator);
            }

            WriteMaybeParenthesized(sb, items[i], needsParentheses(items[i]));
        }
    }

    private static void WriteMaybeParenthesized(StringBuilder sb, SegmentNode node, bool parenthesize)
    {
        sb.Append(parenthesize ? "(" : "");
        Write(sb, node);
        sb.Append(parenthesize ? ")" : "");
    }

    private static void WriteFieldNode(StringBuilder sb, FieldNode f)
    {
        sb.Append(WriteField(f.Field));
        switch (f.Op)
        {
            case CompareOp.Exists:
                sb.Append(" exists");
                break;
            case CompareOp.In:
                sb.Append(" in (").AppendJoin(", ", f.Values.Select(v => v.ToString())).Append(')');
                break;
            default:
                sb.Append(' ').Append(CompareOps.Symbol(f.Op)).Append(' ').Append(f.Values.Count > 0 ? f.Values[0].ToString() : "");
                break;
        }
    }

    private static void WriteEventNode(StringBuilder sb, EventNode e)
    {
        var s = e.Selector;
        // Shorthands read well for "did it at all" (bought(...), not viewed(...)); counts read better as count(...).
        var atLeastOnce = e.Op == CompareOp.Ge && e.Count == 1;
        var shorthand = s.Type == "track" && atLeastOnce ? Shorthands.FirstOrDefault(x => x.EventName == s.Name).Function : null;
        var args = new List<string>();
        if (shorthand is null)
        {
            args.Add(s.Name is null ? s.Type : s.Type + " " + Literal.Quote(s.Name));
        }

        args.AddRange(s.Where.Select(WriteFilter));
        if (e.LastDays is { } days)
        {
            args.Add($"last {Literal.FormatNumber(days)} {(days == 1 ? "day" : "days")}");
        }

        sb.Append(shorthand ?? "count").Append('(').AppendJoin(", ", args).Append(')');
        if (!atLeastOnce)
        {
            sb.Append(' ').Append(CompareOps.Symbol(e.Op)).Append(' ').Append(Literal.FormatNumber(e.Count));
        }
    }

    private static string WriteFilter(PropertyFilter f) =>
        $"{(IsIdentifier(f.Property) && !IsReserved(f.Property) ? f.Property : Literal.Quote(f.Property))} {CompareOps.Symbol(f.Op)} {f.Value}";

    /// <summary>Words the parser reads specially inside a behaviour's parentheses.</summary>
    private static bool IsReserved(string word) => word.Equals("last", StringComparison.OrdinalIgnoreCase);

    internal static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return !s.Equals("true", StringComparison.OrdinalIgnoreCase) && !s.Equals("false", StringComparison.OrdinalIgnoreCase);
    }
}
