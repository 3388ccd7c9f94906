using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Rapport.Dashboard.Charts;

/// <summary>Lines over x in 0..1 and y as shares (the Pareto curve), with a diagonal for "everyone equal".</summary>
internal static class LineChart
{
    public sealed record Series(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);

    public static HtmlString Shares(string id, string title, string xLabel, IReadOnlyList<Series> series)
    {
        const int width = 520, height = 320, left = 48, right = 16, top = 14, bottom = 58;
        var sb = Svg.Open(id, width, height, title, $"{xLabel} against the share of the total; the table below has the numbers.");
        var maxY = Math.Max(1, series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(1).Max());
        double plotH = height - top - bottom, plotW = width - left - right;
        double X(double x) => left + (plotW * x);
        double Y(double y) => top + (plotH * (maxY - y) / maxY);
        foreach (var t in Svg.Ticks(0, maxY))
        {
            Svg.Line(sb, left, Y(t), width - right, Y(t));
            Svg.Text(sb, left - 6, Y(t) + 4, $"{t * 100:0}%", "end");
        }

        for (var x = 0.0; x <= 1.0001; x += 0.2)
        {
            Svg.Text(sb, X(x), height - bottom + 16, $"{x * 100:0}%");
        }

        Svg.Text(sb, left + (plotW / 2), height - bottom + 32, xLabel);
        sb.Append(CultureInfo.InvariantCulture, $"<path d=\"M{Svg.N(X(0))},{Svg.N(Y(0))} L{Svg.N(X(1))},{Svg.N(Y(1))}\" stroke=\"#aab2c0\" stroke-dasharray=\"4 3\" fill=\"none\"/>");
        var legendX = left;
        foreach (var s in series)
        {
            var path = new StringBuilder();
            foreach (var (x, y) in s.Points)
            {
                path.Append(path.Length == 0 ? 'M' : 'L').Append(Svg.N(X(x))).Append(',').Append(Svg.N(Y(y))).Append(' ');
            }

            sb.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" stroke=\"{s.Color}\" stroke-width=\"2\" fill=\"none\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{height - 14}\" width=\"12\" height=\"4\" fill=\"{s.Color}\"/>");
            Svg.Text(sb, legendX + 16, height - 9, s.Name, "start");
            legendX += 140;
        }

        return Svg.Close(sb);
    }
}
