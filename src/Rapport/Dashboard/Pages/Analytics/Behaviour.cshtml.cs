using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard.Pages.Analytics;

/// <summary>The funnel and cart abandonment over a chosen period, returns within 1/7/30 days, multichannel customers, and predicted against actual CLV; all from the report cache.</summary>
public sealed class BehaviourModel(RelationshipReports reports) : PageModel
{
    public Cached<FunnelReport> Funnel { get; private set; } = null!;

    public Cached<ChannelMixReport> Channels { get; private set; } = null!;

    /// <summary>Monthly cohorts by first purchase and by first visit with their 1/7/30-day returns.</summary>
    public Cached<ReturnWindowReport> ByPurchase { get; private set; } = null!;

    public Cached<ReturnWindowReport> ByVisit { get; private set; } = null!;

    public Cached<ClvCalibrationReport?> Clv { get; private set; } = null!;

    /// <summary>What was wrong with the period asked for (the default period is shown instead).</summary>
    public string? PeriodProblem { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Through { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? Model { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(refresh: false, ct);

    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken ct)
    {
        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await LoadAsync(refresh: true, ct);
        return Redirect($"/dashboard/analytics/behaviour?from={From}&through={Through}" + (Model is { } m ? $"&model={m}" : ""));
    }

    private async Task LoadAsync(bool refresh, CancellationToken ct)
    {
        var (from, through) = reports.Queries.DefaultPeriod();
        if (!string.IsNullOrEmpty(From) || !string.IsNullOrEmpty(Through))
        {
            if (DateOnly.TryParseExact(From, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f)
                && DateOnly.TryParseExact(Through, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                && f <= t && t.DayNumber - f.DayNumber < Http.RelationshipAnalyticsEndpoints.MaxFunnelDays)
            {
                (from, through) = (f, t);
            }
            else
            {
                PeriodProblem = $"The period must be two days (yyyy-MM-dd), the first on or before the second and at most {Http.RelationshipAnalyticsEndpoints.MaxFunnelDays} days apart; showing the last {RelationshipQueries.DefaultFunnelDays} days instead.";
            }
        }

        (From, Through) = (Day(from), Day(through));
        // Asked together, so a first view after a start sets every report of the page computing
        // (ReportCache.WaitAtMost), not one per visit.
        var funnel = reports.FunnelAsync(from, through, refresh, ct);
        var channels = reports.ChannelsAsync(refresh, ct);
        var byPurchase = reports.ReturnWindowsAsync(false, Rapport.Engine.Analytics.CohortPeriod.Month, refresh, ct);
        var byVisit = reports.ReturnWindowsAsync(true, Rapport.Engine.Analytics.CohortPeriod.Month, refresh, ct);
        var clv = reports.ClvAsync(Model, refresh, ct);
        await Task.WhenAll(funnel, channels, byPurchase, byVisit, clv);
        (Funnel, Channels, ByPurchase, ByVisit, Clv) = (await funnel, await channels, await byPurchase, await byVisit, await clv);
        if (Clv.Report is null)
        {
            // An unknown model in the address: show the default one and say so.
            PeriodProblem = $"CLV model {Model} has no stored predictions; showing the default model.";
            Model = null;
            Clv = await reports.ClvAsync(null, refresh, ct);
        }
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
