using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Analytics;

/// <summary>Retention cohorts (heatmap), repeat-purchase rate, Pareto curve and CLV distribution, from the analytics cache.</summary>
public sealed class AnalyticsModel(RelationshipReports reports) : PageModel
{
    public Cached<AnalyticsSnapshot> Held { get; private set; } = null!;

    public AnalyticsSnapshot Snapshot => Held.Report;

    public async Task OnGetAsync(CancellationToken ct) => Held = await reports.SnapshotAsync(false, ct);

    /// <summary>Recompute now, in the background (one at a time; a click while one runs gets one more after it, so it sees everything up to the click).</summary>
    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.SnapshotAsync(true, ct);
        return Redirect("/dashboard/analytics");
    }
}
