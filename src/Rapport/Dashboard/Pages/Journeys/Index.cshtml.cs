using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Journeys;

/// <summary>Every journey with its status, version, enrolment counts by side and goal uplift; from the report cache.</summary>
public sealed class JourneysModel(RelationshipReports reports) : PageModel
{
    public Cached<JourneysReport> Journeys { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Journeys = await reports.JourneysAsync(false, ct);

    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.JourneysAsync(true, ct);
        return Redirect("/dashboard/journeys");
    }
}
