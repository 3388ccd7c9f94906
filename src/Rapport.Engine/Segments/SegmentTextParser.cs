using System.Globalization;
using System.Text;

namespace Rapport.Engine.Segments;

/// <summary>
/// Parses the text form (grammar in docs/segments.md) into a <see cref="SegmentNode"/> tree.
/// Syntax errors stop at the first mistake and say where it is (line and column) and what was
/// expected; meaning (fields, types, windows) is checked afterwards by <see cref="SegmentValidator"/>.
/// </summary>
internal sealed class SegmentTextParser
{
    private readonly List<Token> _tokens;
    private int _next;

    private SegmentTextParser(List<Token> tokens)
    {
        _tokens = tokens;
    }

    private enum TokenKind
    {
        Identifier,
        Text,
        Number,
        Operator,
        Open,
        Close,
        Comma,
        Dot,
        End,
    }

    /// <exception cref="SegmentSyntaxException">The text is not a definition.</exception>
    public static SegmentNode Parse(string text)
    {
        var parser = new SegmentTextParser(Lex(text));
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw Fail(parser.Peek, "the definition is empty; write a condition such as value.orders >= 2");
        }

        var root = parser.ParseOr();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw Fail(parser.Peek, $"unexpected {Describe(parser.Peek)} after a complete condition; join conditions with 'and' or 'or'");
        }

        return root;
    }

    private Token Peek => _tokens[_next];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private Token Take() => _tokens[_next++];

    private SegmentNode ParseOr()
    {
        var first = ParseAnd();
        if (!IsWord(Peek, "or"))
        {
            return first;
        }

        var items = new List<SegmentNode>();
        Splice<OrNode>(items, first, n => n.Items);
        while (IsWord(Peek, "or"))
        {
            Take();
            Splice<OrNode>(items, ParseAnd(), n => n.Items);
        }

        return new OrNode(items, first.Position);
    }

    private SegmentNode ParseAnd()
    {
        var first = ParseNot();
        if (!IsWord(Peek, "and"))
        {
            return first;
        }

        var items = new List<SegmentNode>();
        Splice<AndNode>(items, first, n => n.Items);
        while (IsWord(Peek, "and"))
        {
            Take();
            Splice<AndNode>(items, ParseNot(), n => n.Items);
        }

        return new AndNode(items, first.Position);
    }

    /// <summary>"a and (b and c)" is "a and b and c": one canonical tree for one meaning.</summary>
    private static void Splice<T>(List<SegmentNode> items, SegmentNode node, Func<T, IReadOnlyList<SegmentNode>> children)
        where T : SegmentNode
    {
        if (node is T same)
        {
            items.AddRange(children(same));
        }
        else
        {
            items.Add(node);
        }
    }

    private SegmentNode ParseNot()
    {
        if (IsWord(Peek, "not"))
        {
            var not = Take();
            return new NotNode(ParseNot(), At(not));
        }

        return ParseAtom();
    }

    private SegmentNode ParseAtom()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Open:
            {
                Take();
                var inner = ParseOr();
                Expect(TokenKind.Close, "')' to close the '(' opened at " + At(t));
                return inner;
            }

            case TokenKind.Identifier when PeekAt(1).Kind == TokenKind.Open:
                return ParseBehaviour();
            case TokenKind.Identifier when PeekAt(1).Kind == TokenKind.Dot:
                return ParseField();
            case TokenKind.Identifier when IsWord(t, "and") || IsWord(t, "or"):
                throw Fail(t, $"expected a condition before '{t.Text}'");
            case TokenKind.Identifier:
                throw Fail(t, $"'{t.Text}' is not a condition; write fields as family.name (traits.plan, value.revenue, prediction.p_alive) or a behaviour such as bought(last 30 days)");
            case TokenKind.End:
                throw Fail(t, "expected a condition, found the end of the definition");
            default:
                throw Fail(t, $"expected a condition, found {Describe(t)}");
        }
    }

    private FieldNode ParseField()
    {
        var family = Take();
        var key = new StringBuilder();
        while (Peek.Kind == TokenKind.Dot)
        {
            Take();
            var part = Take();
            if (part.Kind is not (TokenKind.Identifier or TokenKind.Text))
            {
                throw Fail(part, $"expected a field name after '{family.Text}.', e.g. {family.Text}.plan (quote names with spaces: {family.Text}.\"first name\")");
            }

            key.Append(key.Length > 0 ? "." : "").Append(part.Text);
        }

        var field = family.Text + "." + key;
        var op = Peek;
        if (IsWord(op, "exists"))
        {
            Take();
            return new FieldNode(field, CompareOp.Exists, [], At(family), At(op));
        }

        if (IsWord(op, "in"))
        {
            Take();
            Expect(TokenKind.Open, "'(' and a list of values after 'in', e.g. in (\"DE\", \"AT\")");
            var first = Peek;
            var values = new List<Literal> { ParseLiteral() };
            while (Peek.Kind == TokenKind.Comma)
            {
                Take();
                values.Add(ParseLiteral());
            }

            Expect(TokenKind.Close, "',' or ')' in the list after 'in'");
            return new FieldNode(field, CompareOp.In, values, At(family), At(first));
        }

        if (op.Kind != TokenKind.Operator)
        {
            throw Fail(op, $"expected a comparison after {field}, such as = \"gold\", >= 10, in (\"a\", \"b\") or exists");
        }

        Take();
        var valueToken = Peek;
        return new FieldNode(field, CompareOps.Parse(op.Text)!.Value, [ParseLiteral()], At(family), At(valueToken));
    }

    private EventNode ParseBehaviour()
    {
        var fn = Take();
        var function = fn.Text.ToLowerInvariant();
        Take(); // (
        string type;
        string? name;
        var typePosition = At(fn);
        var filters = new List<PropertyFilter>();
        double? window = null;
        var windowPosition = At(fn);
        if (function == "count")
        {
            var typeToken = Peek;
            if (typeToken.Kind != TokenKind.Identifier)
            {
                throw Fail(typeToken, "count( starts with the event type (track, page, screen, identify or group), e.g. count(track \"Order Completed\", last 30 days)");
            }

            Take();
            type = typeToken.Text.ToLowerInvariant();
            typePosition = At(typeToken);
            name = Peek.Kind == TokenKind.Text ? Take().Text : null;
            if (Peek.Kind != TokenKind.Close)
            {
                Expect(TokenKind.Comma, $"',' or ')' after {(name is null ? "the event type" : "the event name")}");
            }
        }
        else if (SegmentText.Shorthand(function) is { } eventName)
        {
            (type, name) = ("track", eventName);
        }
        else
        {
            throw Fail(fn, $"unknown behaviour '{fn.Text}(': use count(...), {string.Join(", ", SegmentText.Shorthands.Select(s => s.Function + "(...)"))}");
        }

        if (Peek.Kind != TokenKind.Close)
        {
            do
            {
                var arg = Peek;
                if (IsWord(arg, "last") && PeekAt(1).Kind == TokenKind.Number)
                {
                    if (window is not null)
                    {
                        throw Fail(arg, "a behaviour has one window; remove one of the 'last N days'");
                    }

                    Take();
                    var days = Take();
                    var unit = Peek;
                    if (!IsWord(unit, "days") && !IsWord(unit, "day"))
                    {
                        throw Fail(unit, $"write the window as last {days.Text} days");
                    }

                    Take();
                    window = days.Number;
                    windowPosition = At(days);
                }
                else if (arg.Kind is TokenKind.Identifier or TokenKind.Text && PeekAt(1).Kind == TokenKind.Operator)
                {
                    Take();
                    var op = CompareOps.Parse(Take().Text)!.Value;
                    filters.Add(new PropertyFilter(arg.Text, op, ParseLiteral(), At(arg)));
                }
                else
                {
                    throw Fail(arg, "expected a filter such as category = \"Lamps\" or a window such as last 30 days");
                }
            }
            while (TakeIf(TokenKind.Comma));
        }

        Expect(TokenKind.Close, $"',' or ')' in {function}(...)");
        var (cmp, count, countPosition) = ParseCountComparison(fn);
        return new EventNode(new EventSelector(type, name, filters, typePosition), window, cmp, count, At(fn), windowPosition, countPosition);
    }

    /// <summary>"&gt;= 2", "at least 2 times", "at most 1 time", "exactly 3 times", or nothing (at least once).</summary>
    private (CompareOp Op, double Count, SourcePosition Position) ParseCountComparison(Token fn)
    {
        var t = Peek;
        if (t.Kind == TokenKind.Operator)
        {
            Take();
            var n = ExpectCount();
            return (CompareOps.Parse(t.Text)!.Value, n.Number, At(n));
        }

        CompareOp? op = null;
        if (IsWord(t, "at") && (IsWord(PeekAt(1), "least") || IsWord(PeekAt(1), "most")))
        {
            Take();
            op = IsWord(Take(), "least") ? CompareOp.Ge : CompareOp.Le;
        }
        else if (IsWord(t, "exactly"))
        {
            Take();
            op = CompareOp.Eq;
        }

        if (op is null)
        {
            return (CompareOp.Ge, 1, At(fn));
        }

        var count = ExpectCount();
        if (IsWord(Peek, "times") || IsWord(Peek, "time"))
        {
            Take();
        }

        return (op.Value, count.Number, At(count));
    }

    private Token ExpectCount()
    {
        var n = Peek;
        if (n.Kind != TokenKind.Number)
        {
            throw Fail(n, "compare a behaviour with a whole number of times, e.g. >= 2");
        }

        return Take();
    }

    private Literal ParseLiteral()
    {
        var t = Take();
        return t.Kind switch
        {
            TokenKind.Number => Literal.Of(t.Number),
            TokenKind.Text => Literal.Of(t.Text),
            TokenKind.Identifier when IsWord(t, "true") => Literal.Of(true),
            TokenKind.Identifier when IsWord(t, "false") => Literal.Of(false),
            TokenKind.Identifier => throw Fail(t, $"text values are quoted: \"{t.Text}\""),
            _ => throw Fail(t, $"expected a value (a number, a \"quoted text\", true or false), found {Describe(t)}"),
        };
    }

    private void Expect(TokenKind kind, string what)
    {
        if (!TakeIf(kind))
        {
            throw Fail(Peek, $"expected {what}, found {Describe(Peek)}");
        }
    }

    private bool TakeIf(TokenKind kind)
    {
        if (Peek.Kind != kind)
        {
            return false;
        }

        Take();
        return true;
    }

    private static bool IsWord(Token t, string word) =>
        t.Kind == TokenKind.Identifier && string.Equals(t.Text, word, StringComparison.OrdinalIgnoreCase);

    private static SourcePosition At(Token t) => SourcePosition.AtColumn(t.Line, t.Column);

    private static SegmentSyntaxException Fail(Token t, string reason) => new(new SegmentError(At(t), reason));

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.End => "the end of the definition",
        TokenKind.Text => $"the text {Literal.Quote(t.Text)}",
        _ => $"'{t.Text}'",
    };

    private static List<Token> Lex(string s)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1, lineStart = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                if (s[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }

                i++;
            }

            var column = i - lineStart + 1;
            if (i >= s.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", 0, line, column));
                return tokens;
            }

            var c = s[i];
            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, s[start..i], 0, line, column));
            }
            else if (char.IsAsciiDigit(c) || ((c == '-' || c == '+') && i + 1 < s.Length && (char.IsAsciiDigit(s[i + 1]) || s[i + 1] == '.')))
            {
                i++;
                i = SkipDigits(s, i);
                if (i < s.Length && s[i] == '.')
                {
                    i = SkipDigits(s, i + 1);
                }

                if (i + 1 < s.Length && s[i] is 'e' or 'E' && (char.IsAsciiDigit(s[i + 1]) || (s[i + 1] is '-' or '+' && i + 2 < s.Length && char.IsAsciiDigit(s[i + 2]))))
                {
                    i = SkipDigits(s, i + 2);
                }

                var text = s[start..i];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    throw new SegmentSyntaxException(new SegmentError(SourcePosition.AtColumn(line, column), $"'{text}' is not a number"));
                }

                tokens.Add(new Token(TokenKind.Number, text, number, line, column));
            }
            else if (c == '"' || c == '\'')
            {
                var text = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= s.Length || s[i] == '\n')
                    {
                        throw new SegmentSyntaxException(new SegmentError(SourcePosition.AtColumn(line, column), $"this text has no closing {c}"));
                    }

                    if (s[i] == c)
                    {
                        i++;
                        break;
                    }

                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        i++;
                        text.Append(s[i] switch { 'n' => '\n', 't' => '\t', var other => other });
                    }
                    else
                    {
                        text.Append(s[i]);
                    }

                    i++;
                }

                tokens.Add(new Token(TokenKind.Text, text.ToString(), 0, line, column));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "<=" or ">=" or "!=" or "==" or "<>")
                {
                    tokens.Add(new Token(TokenKind.Operator, two, 0, line, column));
                    i += 2;
                    continue;
                }

                var kind = c switch
                {
                    '=' or '<' or '>' => TokenKind.Operator,
                    '(' => TokenKind.Open,
                    ')' => TokenKind.Close,
                    ',' => TokenKind.Comma,
                    '.' => TokenKind.Dot,
                    _ => throw new SegmentSyntaxException(new SegmentError(SourcePosition.AtColumn(line, column), c switch
                    {
                        '&' or '|' or '!' => "write 'and', 'or' and 'not' as words",
                        _ => $"unexpected character '{c}'",
                    })),
                };
                tokens.Add(new Token(kind, c.ToString(), 0, line, column));
                i++;
            }
        }
    }

    private static int SkipDigits(string s, int i)
    {
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i;
    }

    private readonly record struct Token(TokenKind Kind, string Text, double Number, int Line, int Column);
}

/// <summary>The text is not a definition; <see cref="Error"/> says where and why.</summary>
public sealed class SegmentSyntaxException(SegmentError error) : Exception(error.ToString())
{
    public SegmentError Error { get; } = error;
}
