using System.Text;

namespace Rapport.Engine.Segments;

/// <summary>
/// Parses the text form (grammar in docs/segments.md) into a <see cref="SegmentNode"/> tree.
/// Syntax errors stop at the first mistake and say where it is (line and column) and what was
/// expected; meaning (fields, types, windows) is checked afterwards by <see cref="SegmentValidator"/>.
/// </summary>
internal sealed class SegmentTextParser
{
    private readonly List<SegmentToken> _tokens;
    private int _next;

    private SegmentTextParser(List<SegmentToken> tokens)
    {
        _tokens = tokens;
    }

    /// <exception cref="SegmentSyntaxException">The text is not a definition.</exception>
    public static SegmentNode Parse(string text)
    {
        var parser = new SegmentTextParser(SegmentTextLexer.Lex(text));
        if (parser.Peek.Kind == SegmentTokenKind.End)
        {
            throw Fail(parser.Peek, "the definition is empty; write a condition such as value.orders >= 2");
        }

        var root = parser.ParseOr();
        if (parser.Peek.Kind != SegmentTokenKind.End)
        {
            throw Fail(parser.Peek, $"unexpected {Describe(parser.Peek)} after a complete condition; join conditions with 'and' or 'or'");
        }

        return root;
    }

    private SegmentToken Peek => _tokens[_next];

    private SegmentToken PeekAt(int ahead) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private SegmentToken Take() => _tokens[_next++];

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
            case SegmentTokenKind.Open:
            {
                Take();
                var inner = ParseOr();
                Expect(SegmentTokenKind.Close, "')' to close the '(' opened at " + At(t));
                return inner;
            }

            case SegmentTokenKind.Identifier when PeekAt(1).Kind == SegmentTokenKind.Open:
                return ParseBehaviour();
            case SegmentTokenKind.Identifier when PeekAt(1).Kind == SegmentTokenKind.Dot:
                return ParseField();
            case SegmentTokenKind.Identifier when IsWord(t, "and") || IsWord(t, "or"):
                throw Fail(t, $"expected a condition before '{t.Text}'");
            case SegmentTokenKind.Identifier:
                throw Fail(t, $"'{t.Text}' is not a condition; write fields as family.name (traits.plan, value.revenue, prediction.p_alive) or a behaviour such as bought(last 30 days)");
            case SegmentTokenKind.End:
                throw Fail(t, "expected a condition, found the end of the definition");
            default:
                throw Fail(t, $"expected a condition, found {Describe(t)}");
        }
    }

    private FieldNode ParseField()
    {
        var family = Take();
        var key = new StringBuilder();
        while (Peek.Kind == SegmentTokenKind.Dot)
        {
            Take();
            var part = Take();
            if (part.Kind is not (SegmentTokenKind.Identifier or SegmentTokenKind.Text))
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
            Expect(SegmentTokenKind.Open, "'(' and a list of values after 'in', e.g. in (\"DE\", \"AT\")");
            var first = Peek;
            var values = new List<Literal> { ParseLiteral() };
            while (Peek.Kind == SegmentTokenKind.Comma)
            {
                Take();
                values.Add(ParseLiteral());
            }

            Expect(SegmentTokenKind.Close, "',' or ')' in the list after 'in'");
            return new FieldNode(field, CompareOp.In, values, At(family), At(first));
        }

        if (op.Kind != SegmentTokenKind.Operator)
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
            if (typeToken.Kind != SegmentTokenKind.Identifier)
            {
                throw Fail(typeToken, "count( starts with the event type (track, page, screen, identify or group), e.g. count(track \"Order Completed\", last 30 days)");
            }

            Take();
            type = typeToken.Text.ToLowerInvariant();
            typePosition = At(typeToken);
            name = Peek.Kind == SegmentTokenKind.Text ? Take().Text : null;
            if (Peek.Kind != SegmentTokenKind.Close)
            {
                Expect(SegmentTokenKind.Comma, $"',' or ')' after {(name is null ? "the event type" : "the event name")}");
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

        if (Peek.Kind != SegmentTokenKind.Close)
        {
            do
            {
                var arg = Peek;
                if (IsWord(arg, "last") && PeekAt(1).Kind == SegmentTokenKind.Number)
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
                else if (arg.Kind is SegmentTokenKind.Identifier or SegmentTokenKind.Text && PeekAt(1).Kind == SegmentTokenKind.Operator)
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
            while (TakeIf(SegmentTokenKind.Comma));
        }

        Expect(SegmentTokenKind.Close, $"',' or ')' in {function}(...)");
        var (cmp, count, countPosition) = ParseCountComparison(fn);
        return new EventNode(new EventSelector(type, name, filters, typePosition), window, cmp, count, At(fn), windowPosition, countPosition);
    }

    /// <summary>"&gt;= 2", "at least 2 times", "at most 1 time", "exactly 3 times", or nothing (at least once).</summary>
    private (CompareOp Op, double Count, SourcePosition Position) ParseCountComparison(SegmentToken fn)
    {
        var t = Peek;
        if (t.Kind == SegmentTokenKind.Operator)
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

    private SegmentToken ExpectCount()
    {
        var n = Peek;
        if (n.Kind != SegmentTokenKind.Number)
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
            SegmentTokenKind.Number => Literal.Of(t.Number),
            SegmentTokenKind.Text => Literal.Of(t.Text),
            SegmentTokenKind.Identifier when IsWord(t, "true") => Literal.Of(true),
            SegmentTokenKind.Identifier when IsWord(t, "false") => Literal.Of(false),
            SegmentTokenKind.Identifier => throw Fail(t, $"text values are quoted: \"{t.Text}\""),
            _ => throw Fail(t, $"expected a value (a number, a \"quoted text\", true or false), found {Describe(t)}"),
        };
    }

    private void Expect(SegmentTokenKind kind, string what)
    {
        if (!TakeIf(kind))
        {
            throw Fail(Peek, $"expected {what}, found {Describe(Peek)}");
        }
    }

    private bool TakeIf(SegmentTokenKind kind)
    {
        if (Peek.Kind != kind)
        {
            return false;
        }

        Take();
        return true;
    }

    private static bool IsWord(SegmentToken t, string word) =>
        t.Kind == SegmentTokenKind.Identifier && string.Equals(t.Text, word, StringComparison.OrdinalIgnoreCase);

    private static SourcePosition At(SegmentToken t) => SourcePosition.AtColumn(t.Line, t.Column);

    private static SegmentSyntaxException Fail(SegmentToken t, string reason) => new(new SegmentError(At(t), reason));

    private static string Describe(SegmentToken t) => t.Kind switch
    {
        SegmentTokenKind.End => "the end of the definition",
        SegmentTokenKind.Text => $"the text {Literal.Quote(t.Text)}",
        _ => $"'{t.Text}'",
    };
}
