using System.Globalization;
using System.Text.RegularExpressions;

namespace Rapport.Engine.Journeys;

/// <summary>Durations as people write them in definitions: "30m", "1h", "2d", "1w", "1d12h".</summary>
public static partial class JourneyDuration
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(3660);

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || !Whole().IsMatch(text.Trim()))
        {
            return false;
        }

        foreach (Match m in Part().Matches(text.Trim()))
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += m.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromDays(7 * n),
            };
            if (duration > Max)
            {
                return false;
            }
        }

        return true;
    }

    public static string Format(TimeSpan d) =>
        d.TotalDays >= 1 && d.TotalDays == Math.Floor(d.TotalDays) ? $"{d.TotalDays.ToString(CultureInfo.InvariantCulture)}d"
        : d.TotalHours >= 1 && d.TotalHours == Math.Floor(d.TotalHours) ? $"{d.TotalHours.ToString(CultureInfo.InvariantCulture)}h"
        : $"{d.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m";

    [GeneratedRegex(@"^(\d+(\.\d+)?[smhdw])+$")]
    private static partial Regex Whole();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)([smhdw])")]
    private static partial Regex Part();
}
