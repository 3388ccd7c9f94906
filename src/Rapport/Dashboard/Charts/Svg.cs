using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Rapport.Dashboard.Charts;

/// <summary>
/// Helpers for the server-rendered SVG charts: no script, no CDN, readable by screen readers
/// (role="img", a title and a description; every chart also has a data table next to it).
/// </summary>
internal static class Svg
{
    public static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static string E(string s) => WebUtility.HtmlEncode(s);

    public static StringBuilder Open(string id, int width, int height, string title, string description)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"{E(id)}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{E(id)}-title {E(id)}-desc\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title id=\"{E(id)}-title\">{E(title)}</title><desc id=\"{E(id)}-desc\">{E(description)}</desc>");
        return sb;
    }

    public static HtmlString Close(StringBuilder sb) => new(sb.Append("</svg>").ToString());

    public static void Text(StringBuilder sb, double x, double y, string text, string anchor = "middle", string? extra = null) =>
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\"{extra}>{E(text)}</text>");

    public static void Line(StringBuilder sb, double x1, double y1, double x2, double y2, string stroke = "#d9dee7") =>
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{stroke}\"/>");

    /// <summary>A compact number for axis labels: 1.2k, 3.4M.</summary>
    public static string Short(double v)
    {
        var a = Math.Abs(v);
        return a >= 1e9 ? N(v / 1e9) + "G" : a >= 1e6 ? N(v / 1e6) + "M" : a >= 1e3 ? N(v / 1e3) + "k" : N(v);
    }

    /// <summary>Up to five round tick values from 0 (or the minimum, if negative) to max.</summary>
    public static IReadOnlyList<double> Ticks(double min, double max)
    {
        min = Math.Min(0, min);
        if (max <= min)
        {
            max = min + 1;
        }

        var raw = (max - min) / 4;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= raw);
        var ticks = new List<double>();
        for (var t = Math.Floor(min / step) * step; t <= max + (step / 2); t += step)
        {
            ticks.Add(t);
        }

        return ticks;
    }
}
