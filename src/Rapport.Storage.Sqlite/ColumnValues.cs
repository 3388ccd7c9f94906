using System.Text;

namespace Rapport.Storage.Sqlite;

/// <summary>
/// Read values that need no new object each time. Flags, counts and small amounts (0, 1, 5, 10)
/// come back as the same boxes, instead of a new 24-byte box per column per row. Boxed longs
/// cannot be changed, so sharing them is safe.
/// </summary>
internal static class SmallIntegers
{
    private const long Min = -16;
    private const long Max = 1024;
    private static readonly object[] Boxes = Enumerable.Range((int)Min, (int)(Max - Min + 1)).Select(i => (object)(long)i).ToArray();

    public static object Box(long value) => value is >= Min and <= Max ? Boxes[value - Min] : value;
}

/// <summary>
/// One string per distinct short text a statement reads (kinds such as 'earn', statuses,
/// channels): the same few values come back row after row. Per statement, so not shared across
/// threads (a statement runs on one thread at a time, under its connection); bounded, so a
/// statement that reads unique texts (emails, notes) does not hold them: past <see cref="MaxKept"/>
/// distinct values, or above <see cref="MaxBytes"/> bytes, it makes a new string as before.
/// </summary>
internal sealed class ShortTexts
{
    private const int MaxBytes = 24;
    private const int MaxKept = 64;
    private readonly Dictionary<string, string> _kept = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public ShortTexts() => _lookup = _kept.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <param name="bytes">The text's UTF-8 bytes (sqlite3_column_blob of a TEXT value: no conversion in a UTF-8 database).</param>
    public string Get(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        Span<char> chars = stackalloc char[MaxBytes]; // UTF-8 never decodes to more chars than bytes
        var span = chars[..Encoding.UTF8.GetChars(bytes, chars)];
        if (_lookup.TryGetValue(span, out var kept))
        {
            return kept;
        }

        var made = span.ToString();
        if (_kept.Count < MaxKept)
        {
            _kept[made] = made;
        }

        return made;
    }
}
