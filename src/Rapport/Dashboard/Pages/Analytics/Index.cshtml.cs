using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Analytics;

/// <summary>Retention cohorts (heatmap), repeat-purchase rate, Pareto curve and CLV distribution, from the analytics cache.</summary>
public sealed class AnalyticsModel(AnalyticsCache analytics) : PageModel
{
    public AnalyticsSnapshot Snapshot { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Snapshot = await analytics.GetAsync(ct);

    /// <summary>Recompute now (one at a time; a second click waits for the first and reuses it).</summary>
    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        await analytics.RefreshAsync(ct);
        return Redirect("/dashboard/analytics");
    }
}
