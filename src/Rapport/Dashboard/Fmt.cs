using System.Globalization;

namespace Rapport.Dashboard;

/// <summary>How the dashboard writes numbers and times: invariant culture, UTC, money without a symbol (a store may hold several currencies).</summary>
internal static class Fmt
{
    public static string Money(decimal? v) => v is { } m ? m.ToString("N2", CultureInfo.InvariantCulture) : "—";

    public static string Percent(double? v) => v is { } p ? p.ToString("0.#%", CultureInfo.InvariantCulture) : "—";

    public static string Number(double? v, string format = "0.##") => v is { } d ? d.ToString(format, CultureInfo.InvariantCulture) : "—";

    public static string When(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";

    public static string Date(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";

    /// <summary>"+12.5 pts (3.1 to 21.9)", or why there is no figure yet.</summary>
    public static string Uplift(Rapport.Engine.Decisioning.Uplift u) => u.Treated > 0 && u.Control > 0
        ? $"{Number(u.Difference * 100, "+0.#;-0.#;0")} pts ({Number(u.Low * 100, "0.#")} to {Number(u.High * 100, "0.#")})"
        : "no control group yet";

    public static string Seconds(TimeSpan t) => t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0} ms" : $"{t.TotalSeconds:0.0} s";
}
