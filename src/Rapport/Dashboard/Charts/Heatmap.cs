using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Rapport.Dashboard.Charts;

/// <summary>The retention heatmap: one row per cohort, one column per period after the first purchase, darker = more returned.</summary>
internal static class Heatmap
{
    public static HtmlString Render(string id, string title, IReadOnlyList<(string Row, long Size, IReadOnlyList<double?> Shares)> rows, int columns, string columnPrefix, IReadOnlyList<string>? columnLabels = null)
    {
        const int left = 130, top = 34, cellH = 22;
        var cellW = columns > 12 ? 40 : 52;
        var width = left + (columns * cellW) + 10;
        var height = top + (Math.Max(1, rows.Count) * cellH) + 10;
        var sb = Svg.Open(id, width, height, title, $"{rows.Count} cohorts by {columns} periods; share returning in each period; the table below has the numbers.");
        if (rows.Count == 0)
        {
            Svg.Text(sb, width / 2.0, top + 14, "No purchases yet");
            return Svg.Close(sb);
        }

        var max = Math.Max(0.01, rows.SelectMany(r => r.Shares).Max(s => s ?? 0));
        for (int k = 0; k < columns; k++)
        {
            Svg.Text(sb, left + (k * cellW) + (cellW / 2.0), top - 10, columnLabels is { } labels && k < labels.Count ? labels[k] : $"{columnPrefix}{k + 1}");
        }

        for (int r = 0; r < rows.Count; r++)
        {
            var y = top + (r * cellH);
            Svg.Text(sb, left - 8, y + 15, $"{rows[r].Row} ({rows[r].Size:N0})", "end");
            for (int k = 0; k < columns && k < rows[r].Shares.Count; k++)
            {
                if (rows[r].Shares[k] is not { } share)
                {
                    continue; // not observed yet: left blank, not a false zero
                }

                var t = Math.Sqrt(share / max); // square root: small differences near zero stay visible
                var fill = $"rgb({(int)(240 - (t * 193))},{(int)(244 - (t * 149))},{(int)(250 - (t * 42))})";
                var x = left + (k * cellW);
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{x}\" y=\"{y}\" width=\"{cellW - 2}\" height=\"{cellH - 2}\" fill=\"{fill}\"><title>{Svg.E(rows[r].Row)}, {columnPrefix}{k + 1}: {share:P1}</title></rect>");
                Svg.Text(sb, x + ((cellW - 2) / 2.0), y + 15, share.ToString("P0", CultureInfo.InvariantCulture), "middle",
                    t > 0.6 ? " style=\"fill:#fff\"" : null);
            }
        }

        return Svg.Close(sb);
    }
}
