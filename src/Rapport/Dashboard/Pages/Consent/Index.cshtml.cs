using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Consent;

/// <summary>Consent across the customer base: grants per purpose × channel, answers per week, sources, pauses and quiet hours; from the report cache.</summary>
public sealed class ConsentPageModel(PopulationReports reports) : PageModel
{
    public Cached<ConsentOverviewReport> Consent { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Consent = await reports.ConsentAsync(false, ct);

    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.ConsentAsync(true, ct);
        return Redirect("/dashboard/consent");
    }

    /// <summary>A week on the chart's axis: its ISO week number (the table gives the Monday).</summary>
    public static string WeekLabel(DateOnly monday) => "w" + ISOWeek.GetWeekOfYear(monday.ToDateTime(TimeOnly.MinValue)).ToString(CultureInfo.InvariantCulture);
}
