using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Needs;

/// <summary>Needs across the customer base: clusters (labels, sizes, centroids), category affinity, price sensitivity, channels and stated preferences; from the report cache.</summary>
public sealed class NeedsPageModel(PopulationReports reports) : PageModel
{
    /// <summary>Short chart labels for the needs vector's components (docs/needs.md names them in full).</summary>
    public static readonly IReadOnlyDictionary<string, string> FeatureLabels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["price_sensitivity"] = "price", ["digital"] = "digital", ["store"] = "store", ["assisted"] = "assisted", ["regularity"] = "regular",
        ["focus"] = "focus", ["values_quality"] = "quality", ["values_convenience"] = "conven.", ["values_discounts"] = "discounts", ["values_perks"] = "perks",
    };

    public static readonly IReadOnlyList<string> Palette = ["#2f5fd0", "#e08a1e", "#1e7a46", "#b3261e", "#7b4bb7", "#0f8b8d", "#8a6d1e", "#5a5a5a"];

    public Cached<NeedsOverviewReport> Needs { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Needs = await reports.NeedsAsync(false, ct);

    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.NeedsAsync(true, ct);
        return Redirect("/dashboard/needs");
    }

    /// <summary>The segment builder, filled in with this cluster's definition.</summary>
    public static string SegmentLink(string label) =>
        "/dashboard/segments?text=" + Uri.EscapeDataString($"needs.cluster = \"{label.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
}
