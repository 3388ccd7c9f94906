using System.Text;

namespace Rapport.Core.Storage;

/// <summary>
/// One string per distinct text read (categories, SKUs, channels, event names): a bulk read of a million
/// customers sees the same few hundred products millions of times, and a new string each time
/// was much of its cost. Looks the UTF-8 bytes up without allocating; not thread-safe (one per
/// reader).
/// </summary>
internal sealed class TextInterner
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private char[] _chars = new char[128];

    public TextInterner() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _chars.Length)
        {
            _chars = new char[utf8.Length * 2]; // UTF-8 never decodes to more chars than bytes
        }

        var chars = _chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, _chars));
        if (_lookup.TryGetValue(chars, out var s))
        {
            return s;
        }

        s = new string(chars);
        _strings[s] = s;
        return s;
    }

    public string Get(string text) => _strings.TryGetValue(text, out var s) ? s : _strings[text] = text;
}
