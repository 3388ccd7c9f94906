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

    // Texts seen lately, by a hash of their bytes: most reads are of a few texts over and over
    // (event types and names, channels), and comparing the bytes beats decoding them to UTF-16
    // and hashing the characters (about a twentieth of a bulk read's CPU). A clash only costs
    // the dictionary lookup below, which then takes the slot over.
    private readonly (byte[]? Bytes, string Text)[] _recent = new (byte[]?, string)[256];

    public TextInterner() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>An interner that answers with these very instances for their texts (callers that compare by reference).</summary>
    public TextInterner(IEnumerable<string> known)
        : this()
    {
        foreach (var s in known)
        {
            _strings.TryAdd(s, s);
        }
    }

    /// <summary>Distinct texts held.</summary>
    public int Count => _strings.Count;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        var h = (uint)utf8.Length;
        foreach (var b in utf8.Length <= 32 ? utf8 : utf8[..32])
        {
            h = (h * 31) + b;
        }

        ref var recent = ref _recent[h % (uint)_recent.Length];
        if (recent.Bytes is { } bytes && utf8.SequenceEqual(bytes))
        {
            return recent.Text;
        }

        var text = Lookup(utf8);
        recent = (utf8.ToArray(), text);
        return text;
    }

    private string Lookup(ReadOnlySpan<byte> utf8)
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
