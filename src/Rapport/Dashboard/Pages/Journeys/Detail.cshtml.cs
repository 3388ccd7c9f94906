using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;
using Rapport.Core.Journeys;
using Rapport.Engine.Journeys;
using Rapport.Engine.Segments;

namespace Rapport.Dashboard.Pages.Journeys;

/// <summary>
/// One journey: its current definition's steps (in order, with where each leads and what it did
/// so far) and its goal uplift against the control group. The figures come from the report cache;
/// an unknown id renders a "not found" page with status 404.
/// </summary>
public sealed class DetailModel(JourneyStore store, RelationshipReports reports, SegmentFields fields) : PageModel
{
    public long Id { get; private set; }

    public JourneyView? Journey { get; private set; }

    /// <summary>The parsed definition; null if the stored one no longer parses (shown as raw JSON then).</summary>
    public JourneyDefinition? Definition { get; private set; }

    public Cached<JourneyStats> Stats { get; private set; } = null!;

    public async Task OnGetAsync(long id, CancellationToken ct)
    {
        Id = id;
        Journey = await store.GetAsync(id, ct);
        if (Journey is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // Templates and segments were checked on save; only the shape is needed here.
        Definition = JourneyParser.Parse(Journey.Definition, JourneyReferences.None with { Fields = fields }).Journey;
        Stats = await reports.JourneyAsync(id, false, ct);
    }

    public async Task<IActionResult> OnPostRefreshAsync(long id, CancellationToken ct)
    {
        if (id <= 0)
        {
            return Redirect("/dashboard/journeys"); // "abc" in the address binds as 0: no such journey
        }

        ReportCache.RefreshInBackground(); // answer at once with the figures held; the page shows the recomputation running
        await reports.JourneyAsync(id, true, ct);
        return Redirect($"/dashboard/journeys/{id}");
    }

    /// <summary>Where a step leads: its next step, both branches of a condition, or the end.</summary>
    public static string Leads(JourneyStep step) => step switch
    {
        ConditionStep c => $"yes → {c.Then ?? "end"}, no → {c.Else ?? "end"}",
        ExitStep => "end",
        _ => step.Next ?? "end",
    };

    private static string Span(TimeSpan d) =>
        d.TotalDays >= 1 && d.Ticks % TimeSpan.TicksPerDay == 0 ? $"{d.TotalDays:0} d"
        : d.TotalHours >= 1 && d.Ticks % TimeSpan.TicksPerHour == 0 ? $"{d.TotalHours:0} h"
        : $"{d.TotalMinutes:0.#} min";

    /// <summary>A few words on what the step does.</summary>
    public static string What(JourneyStep step) => step switch
    {
        WaitStep w when w.UntilCadence => "until shortly before the next purchase is due",
        WaitStep w when w.Duration is { } d => "for " + Span(d),
        WaitStep w when w.UntilTime is { } t => $"until {t:HH:mm} UTC",
        WaitStep w when w.UntilDate is { } d => $"until {Fmt.When(d)}",
        SendStep s => $"template {s.Template} by {s.Channel}",
        NextBestActionStep n => $"up to {n.Limit} offers in {n.Template} by {n.Channel}",
        TaskStep t => t.Title,
        RewardStep r => $"{r.Points:N0} points",
        ConditionStep c => c.InSegment is { } s ? $"in segment {s}?" : "condition",
        _ => "",
    };
}
