using System.Globalization;

namespace Rapport.Core.Needs;

/// <summary>
/// A stable 64-bit hash (FNV-1a) of row values, the same in every process and on every run
/// (string.GetHashCode is randomised per process), to tell whether recomputed needs differ from
/// the stored ones.
/// </summary>
internal static class Fingerprint
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static long Of(params IEnumerable<object?>[] parts)
    {
        var h = Offset;
        foreach (var value in parts.SelectMany(p => p))
        {
            var text = value switch
            {
                null => "\u0000",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            foreach (var ch in text)
            {
                h = (h ^ ch) * Prime;
            }

            h = (h ^ 0x1F) * Prime; // separator: ("ab", "c") differs from ("a", "bc")
        }

        return unchecked((long)h);
    }
}
