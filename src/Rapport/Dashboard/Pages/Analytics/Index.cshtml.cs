using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Analytics;

/// <summary>Retention cohorts (heatmap), repeat-purchase rate, Pareto curve and CLV distribution, from the analytics cache.</summary>
public sealed class AnalyticsModel(RelationshipReports reports) : PageModel
{
    public AnalyticsSnapshot Snapshot { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Snapshot = (await reports.SnapshotAsync(false, ct)).Report;

    /// <summary>Recompute now (one at a time; a click while one runs waits for it, then computes anew so it sees everything up to the click).</summary>
    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        await reports.SnapshotAsync(true, ct);
        return Redirect("/dashboard/analytics");
    }
}
