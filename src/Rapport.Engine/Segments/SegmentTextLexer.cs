using System.Globalization;
using System.Text;

namespace Rapport.Engine.Segments;

/// <summary>
/// Splits the text form into tokens with their line and column, so that every syntax error can
/// say where it is. Numbers are parsed here (invariant culture) and text keeps its escapes resolved.
/// </summary>
internal static class SegmentTextLexer
{
    public static List<SegmentToken> Lex(string s)
    {
        var tokens = new List<SegmentToken>();
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
                tokens.Add(new SegmentToken(SegmentTokenKind.End, "", 0, line, column));
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

                tokens.Add(new SegmentToken(SegmentTokenKind.Identifier, s[start..i], 0, line, column));
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

                tokens.Add(new SegmentToken(SegmentTokenKind.Number, text, number, line, column));
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

                tokens.Add(new SegmentToken(SegmentTokenKind.Text, text.ToString(), 0, line, column));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "<=" or ">=" or "!=" or "==" or "<>")
                {
                    tokens.Add(new SegmentToken(SegmentTokenKind.Operator, two, 0, line, column));
                    i += 2;
                    continue;
                }

                var kind = c switch
                {
                    '=' or '<' or '>' => SegmentTokenKind.Operator,
                    '(' => SegmentTokenKind.Open,
                    ')' => SegmentTokenKind.Close,
                    ',' => SegmentTokenKind.Comma,
                    '.' => SegmentTokenKind.Dot,
                    _ => throw new SegmentSyntaxException(new SegmentError(SourcePosition.AtColumn(line, column), c switch
                    {
                        '&' or '|' or '!' => "write 'and', 'or' and 'not' as words",
                        _ => $"unexpected character '{c}'",
                    })),
                };
                tokens.Add(new SegmentToken(kind, c.ToString(), 0, line, column));
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
}

internal enum SegmentTokenKind
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

internal readonly record struct SegmentToken(SegmentTokenKind Kind, string Text, double Number, int Line, int Column);
