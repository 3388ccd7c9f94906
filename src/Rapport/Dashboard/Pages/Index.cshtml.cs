using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages;

/// <summary>Headline figures, relationship-health alarms, revenue by month and value tiers, all from the caches (no per-request scan).</summary>
public sealed class OverviewModel(RelationshipReports reports) : PageModel
{
    public Cached<AnalyticsSnapshot> Held { get; private set; } = null!;

    public AnalyticsSnapshot Snapshot => Held.Report;

    /// <summary>The relationship-health checks (cached like the rest); the firing ones show as alarms.</summary>
    public Cached<HealthReport> Health { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var snapshot = reports.SnapshotAsync(false, ct);
        var health = reports.HealthAsync(false, ct); // asked together: a first view sets both computing
        await Task.WhenAll(snapshot, health);
        (Held, Health) = (await snapshot, await health);
    }

    /// <summary>Evaluate the health rules now.</summary>
    public async Task<Microsoft.AspNetCore.Mvc.IActionResult> OnPostCheckHealthAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.HealthAsync(true, ct);
        return Redirect("/dashboard#health-heading");
    }
}
