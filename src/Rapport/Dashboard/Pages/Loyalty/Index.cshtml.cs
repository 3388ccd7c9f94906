using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Loyalty;

/// <summary>Loyalty members by tier, points outstanding and the reciprocity balance across the customer base; from the report cache.</summary>
public sealed class LoyaltyModel(RelationshipReports reports) : PageModel
{
    public Cached<LoyaltyOverviewReport> Loyalty { get; private set; } = null!;

    public Cached<ReciprocityDistributionReport> Reciprocity { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var loyalty = reports.LoyaltyAsync(false, ct);
        var reciprocity = reports.ReciprocityAsync(false, ct); // asked together: a first view sets both computing
        await Task.WhenAll(loyalty, reciprocity);
        (Loyalty, Reciprocity) = (await loyalty, await reciprocity);
    }

    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.LoyaltyAsync(true, ct);
        await reports.ReciprocityAsync(true, ct);
        return Redirect("/dashboard/loyalty");
    }
}
