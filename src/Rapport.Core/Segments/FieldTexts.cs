using System.Text;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>
/// One <see cref="FieldValue"/> per distinct text a fact load reads (a plan, a country, a tier,
/// a category label): a load of a million customers sees the same few values millions of times,
/// and a new string, plus a number parse, for each was much of its cost. Up to
/// <paramref name="capacity"/> distinct texts are kept; past that (a field of unique values such
/// as an email address) each value is decoded as before. Not thread-safe (one per load).
/// </summary>
internal sealed class FieldTexts(int capacity = 65_536)
{
    private readonly Dictionary<string, FieldValue> _values = new(StringComparer.Ordinal);
    private char[] _chars = new char[128];

    public FieldValue Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _chars.Length)
        {
            _chars = new char[utf8.Length * 2]; // UTF-8 never decodes to more chars than bytes
        }

        var chars = _chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, _chars));
        var lookup = _values.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars, out var value))
        {
            return value;
        }

        var text = new string(chars);
        value = FieldValue.Of(text);
        if (_values.Count < capacity)
        {
            _values[text] = value;
        }

        return value;
    }

    /// <summary>The number of distinct texts kept (for tests).</summary>
    public int Count => _values.Count;
}
