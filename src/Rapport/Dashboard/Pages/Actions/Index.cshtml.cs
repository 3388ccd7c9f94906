using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Actions;

/// <summary>The action catalogue with each action's acceptance and uplift against its control group, and acceptance by kind; from the report cache.</summary>
public sealed class ActionsModel(RelationshipReports reports) : PageModel
{
    public Cached<UpliftReport> Uplift { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Uplift = await reports.UpliftAsync(false, ct);

    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.UpliftAsync(true, ct);
        return Redirect("/dashboard/actions");
    }
}
