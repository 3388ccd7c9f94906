using System.Globalization;

namespace Rapport.Core.Needs;

/// <summary>
/// A stable 64-bit hash (FNV-1a) of row values, the same in every process and on every run
/// (string.GetHashCode is randomised per process), to tell whether recomputed needs differ from
/// the stored ones. Numbers are hashed by their bits, not their text: formatting every double of
/// a million customers' rows as text cost seconds. (Stored fingerprints from before this change
/// differ once, so the first recomputation after it rewrites every customer.)
/// </summary>
internal static class Fingerprint
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static long Of(params IEnumerable<object?>[] parts)
    {
        var h = Offset;
        foreach (var part in parts)
        {
            foreach (var value in part)
            {
                switch (value)
                {
                    case null:
                        h = Mix(h, 0);
                        break;
                    case long l:
                        h = Mix(Mix(h, 1), unchecked((ulong)l));
                        break;
                    case int i:
                        h = Mix(Mix(h, 1), unchecked((ulong)(long)i));
                        break;
                    case double d:
                        h = Mix(Mix(h, 2), unchecked((ulong)BitConverter.DoubleToInt64Bits(d == 0 ? 0.0 : d)));
                        break;
                    case string s:
                        h = Mix(h, 3);
                        foreach (var ch in s)
                        {
                            h = (h ^ ch) * Prime;
                        }

                        break;
                    default:
                        h = Mix(h, 4);
                        foreach (var ch in value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "")
                        {
                            h = (h ^ ch) * Prime;
                        }

                        break;
                }

                h = (h ^ 0x1F) * Prime; // separator: ("ab", "c") differs from ("a", "bc")
            }
        }

        return unchecked((long)h);
    }

    /// <summary>Mixes a 64-bit word in byte by byte, as FNV-1a does.</summary>
    private static ulong Mix(ulong h, ulong word)
    {
        for (var i = 0; i < 8; i++)
        {
            h = (h ^ (word & 0xFF)) * Prime;
            word >>= 8;
        }

        return h;
    }
}
