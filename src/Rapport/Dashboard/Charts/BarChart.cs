using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Rapport.Dashboard.Charts;

/// <summary>A vertical bar chart (revenue by month, the CLV histogram).</summary>
internal static class BarChart
{
    public static HtmlString Render(string id, string title, IReadOnlyList<(string Label, double Value)> bars, string? description = null)
    {
        const int width = 760, height = 260, left = 56, right = 12, top = 14, bottom = 46;
        var sb = Svg.Open(id, width, height, title, description ?? $"{bars.Count} bars; the table below has the numbers.");
        if (bars.Count == 0)
        {
            Svg.Text(sb, width / 2.0, height / 2.0, "No data yet");
            return Svg.Close(sb);
        }

        var ticks = Svg.Ticks(bars.Min(b => b.Value), bars.Max(b => b.Value));
        double lo = ticks[0], hi = ticks[^1];
        double plotH = height - top - bottom, plotW = width - left - right;
        double Y(double v) => top + (plotH * (hi - v) / (hi - lo));
        foreach (var t in ticks)
        {
            Svg.Line(sb, left, Y(t), width - right, Y(t));
            Svg.Text(sb, left - 6, Y(t) + 4, Svg.Short(t), "end");
        }

        var slot = plotW / bars.Count;
        var labelEvery = Math.Max(1, (int)Math.Ceiling(bars.Count / 12.0));
        for (int i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var x = left + (i * slot) + (slot * 0.12);
            var y0 = Y(Math.Max(0, value));
            var h = Math.Abs(Y(value) - Y(0));
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(y0)}\" width=\"{Svg.N(slot * 0.76)}\" height=\"{Svg.N(Math.Max(h, 0.5))}\" fill=\"{(value < 0 ? "#b3261e" : "#2f5fd0")}\"><title>{Svg.E(label)}: {Svg.E(value.ToString("N2", CultureInfo.InvariantCulture))}</title></rect>");
            if (i % labelEvery == 0)
            {
                Svg.Text(sb, left + (i * slot) + (slot / 2), height - bottom + 16, label);
            }
        }

        return Svg.Close(sb);
    }
}
