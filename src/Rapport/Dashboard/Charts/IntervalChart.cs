using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Rapport.Dashboard.Charts;

/// <summary>
/// One row per item: a dot at the estimate and a line across its confidence interval, with the
/// zero line marked (the uplift of each action against its control group). An interval that
/// crosses zero has not shown an effect yet; it is drawn grey.
/// </summary>
internal static class IntervalChart
{
    public const int MaxLabel = 27;

    public static HtmlString Render(string id, string title, IReadOnlyList<(string Label, double Estimate, double Low, double High)> rows)
    {
        const int width = 760, left = 200, right = 24, top = 14, rowH = 28, axis = 34;
        var height = top + (Math.Max(rows.Count, 1) * rowH) + axis;
        var sb = Svg.Open(id, width, height, title, $"{rows.Count} estimates with 95% intervals around zero; the table below has the numbers.");
        if (rows.Count == 0)
        {
            Svg.Text(sb, width / 2.0, height / 2.0, "No data yet");
            return Svg.Close(sb);
        }

        var lo = Math.Min(0, rows.Min(r => r.Low));
        var hi = Math.Max(0, rows.Max(r => r.High));
        if (hi - lo < 1e-9)
        {
            (lo, hi) = (-0.1, 0.1);
        }

        double plotW = width - left - right;
        double X(double v) => left + (plotW * (v - lo) / (hi - lo));
        var bottom = top + (rows.Count * rowH);
        foreach (var t in new[] { lo, lo / 2, 0, hi / 2, hi }.Distinct())
        {
            Svg.Line(sb, X(t), top, X(t), bottom, t == 0 ? "#555" : "#d9dee7");
            Svg.Text(sb, X(t), bottom + 16, $"{t * 100:0.#} pts");
        }

        for (int i = 0; i < rows.Count; i++)
        {
            var (label, estimate, low, high) = rows[i];
            var y = top + (i * rowH) + (rowH / 2.0);
            var shown = low > 0 || high < 0;
            var color = !shown ? "#8a94a6" : estimate > 0 ? "#1e7a46" : "#b3261e";
            // The label column is `left` wide (about 28 characters): a longer name is cut, whole in its tooltip and in the table below.
            var shortLabel = label.Length > MaxLabel ? label[..(MaxLabel - 1)].TrimEnd() + "…" : label;
            sb.Append(CultureInfo.InvariantCulture,
                $"<g><title>{Svg.E(label)}</title><text x=\"{Svg.N(left - 8)}\" y=\"{Svg.N(y + 4)}\" text-anchor=\"end\">{Svg.E(shortLabel)}</text></g>");
            Svg.Line(sb, X(low), y, X(high), y, color);
            sb.Append(CultureInfo.InvariantCulture,
                $"<circle cx=\"{Svg.N(X(estimate))}\" cy=\"{Svg.N(y)}\" r=\"5\" fill=\"{color}\"><title>{Svg.E(label)}: {Svg.E((estimate * 100).ToString("0.#", CultureInfo.InvariantCulture))} pts ({Svg.E((low * 100).ToString("0.#", CultureInfo.InvariantCulture))} to {Svg.E((high * 100).ToString("0.#", CultureInfo.InvariantCulture))})</title></circle>");
        }

        Svg.Text(sb, left + (plotW / 2), height - 4, "Conversion, treated minus control (percentage points)");
        return Svg.Close(sb);
    }
}
