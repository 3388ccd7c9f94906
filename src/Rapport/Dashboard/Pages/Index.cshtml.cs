using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages;

/// <summary>Headline figures, revenue by month and value tiers, all from the analytics cache (no per-request scan).</summary>
public sealed class OverviewModel(AnalyticsCache analytics) : PageModel
{
    public AnalyticsSnapshot Snapshot { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Snapshot = await analytics.GetAsync(ct);
}
