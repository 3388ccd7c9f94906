using System.Globalization;

namespace Rapport.Core.Consent;

/// <summary>
/// A daily span of local time in which interrupting channels stay silent. It may cross midnight
/// ("21:00-08:00"); the end is exclusive, so 08:00 is allowed again.
/// </summary>
public readonly record struct QuietHours(TimeOnly Start, TimeOnly End)
{
    public bool Contains(TimeOnly local) => Start < End ? local >= Start && local < End : local >= Start || local < End;

    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm}";

    public static bool TryParse(string? start, string? end, out QuietHours hours, out string? problem)
    {
        hours = default;
        problem = null;
        if (!TryTime(start, out var s) || !TryTime(end, out var e))
        {
            problem = $"quiet hours need \"start\" and \"end\" as 24-hour \"HH:MM\" (e.g. \"21:00\" and \"08:00\"); got start {Show(start)}, end {Show(end)}";
            return false;
        }

        if (s == e)
        {
            problem = "quiet hours start and end at the same time; give a span such as 21:00 to 08:00, or null for none";
            return false;
        }

        hours = new QuietHours(s, e);
        return true;
    }

    /// <summary>Reads the stored form "HH:MM-HH:MM".</summary>
    public static QuietHours? FromStored(string value)
    {
        var parts = value.Split('-');
        return parts.Length == 2 && TryParse(parts[0], parts[1], out var h, out _) ? h : null;
    }

    private static bool TryTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private static string Show(string? s) => s is null ? "missing" : $"\"{s}\"";
}
