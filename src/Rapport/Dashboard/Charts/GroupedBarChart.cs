using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Rapport.Dashboard.Charts;

/// <summary>Bars side by side per category, one colour per series (predicted against actual CLV by decile, multichannel against single-channel).</summary>
internal static class GroupedBarChart
{
    public sealed record Series(string Name, string Color, IReadOnlyList<double> Values);

    public static HtmlString Render(string id, string title, IReadOnlyList<string> categories, IReadOnlyList<Series> series, string? description = null)
    {
        const int width = 760, height = 280, left = 56, right = 12, top = 14, bottom = 62;
        var sb = Svg.Open(id, width, height, title, description ?? $"{categories.Count} groups of {series.Count} bars; the table below has the numbers.");
        if (categories.Count == 0 || series.Count == 0)
        {
            Svg.Text(sb, width / 2.0, height / 2.0, "No data yet");
            return Svg.Close(sb);
        }

        var all = series.SelectMany(s => s.Values).DefaultIfEmpty(0).ToList();
        var ticks = Svg.Ticks(all.Min(), all.Max());
        double lo = ticks[0], hi = ticks[^1];
        double plotH = height - top - bottom, plotW = width - left - right;
        double Y(double v) => top + (plotH * (hi - v) / (hi - lo));
        foreach (var t in ticks)
        {
            Svg.Line(sb, left, Y(t), width - right, Y(t));
            Svg.Text(sb, left - 6, Y(t) + 4, Svg.Short(t), "end");
        }

        var slot = plotW / categories.Count;
        var bar = slot * 0.8 / series.Count;
        for (int c = 0; c < categories.Count; c++)
        {
            for (int s = 0; s < series.Count; s++)
            {
                var v = c < series[s].Values.Count ? series[s].Values[c] : 0;
                var x = left + (c * slot) + (slot * 0.1) + (s * bar);
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"series-{s}\" x=\"{Svg.N(x)}\" y=\"{Svg.N(Y(Math.Max(0, v)))}\" width=\"{Svg.N(bar * 0.92)}\" height=\"{Svg.N(Math.Max(Math.Abs(Y(v) - Y(0)), 0.5))}\" fill=\"{series[s].Color}\"><title>{Svg.E(categories[c])}, {Svg.E(series[s].Name)}: {Svg.E(v.ToString("N2", CultureInfo.InvariantCulture))}</title></rect>");
            }

            Svg.Text(sb, left + (c * slot) + (slot / 2), height - bottom + 16, categories[c]);
        }

        var legendX = left;
        foreach (var s in series)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{height - 18}\" width=\"12\" height=\"10\" fill=\"{s.Color}\"/>");
            Svg.Text(sb, legendX + 16, height - 9, s.Name, "start");
            legendX += 200;
        }

        return Svg.Close(sb);
    }
}
