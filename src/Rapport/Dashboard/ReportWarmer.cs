using System.Diagnostics;
using Rapport.Core.Analytics;
using Rapport.Core.Segments;
using Rapport.Engine.Analytics;

namespace Rapport.Dashboard;

/// <summary>Whether the report caches are filled as the server starts (Rapport:Dashboard:WarmReports, default true).</summary>
public sealed record ReportWarming(bool AtStart);

/// <summary>
/// Computes the reports the dashboard's pages read as the server starts, one after another in
/// the background, so the first person to open a page after a restart is not the one who waits
/// for a pass over every order (minutes at a million customers). Every report a page reads with
/// its default parameters is here (the behaviour page's funnel, visit windows and CLV included),
/// cheapest first, so the pages that need only cheap ones are ready first: at a million customers
/// the whole warm-up is about 200 s of CPU, 5-45 s per expensive report (docs/performance.md,
/// "Session 7: dashboard at 1M"). Each report's wall and process CPU time is logged. A failure is
/// logged and the page computes on first view as before. First of all it reads the segment
/// builder's fixed preview sample (SegmentService.WarmPreviewSampleAsync), a few seconds of cold
/// reads at a million customers that would otherwise fall on the first preview.
/// </summary>
internal sealed class ReportWarmer(ReportWarming warming, RelationshipReports reports, PopulationReports population, SegmentService segments, ILogger<ReportWarmer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!warming.AtStart)
        {
            return;
        }

        await Task.Yield(); // let the host finish starting
        var (from, through) = reports.Queries.DefaultPeriod();
        (string Name, Func<CancellationToken, Task> Warm)[] all =
        [
            ("segment preview sample", c => segments.WarmPreviewSampleAsync(Pages.Segments.SegmentsModel.ExactUpTo, c)),
            ("health", c => reports.HealthAsync(false, c)),
            ("uplift", c => reports.UpliftAsync(false, c)),
            ("journeys", c => reports.JourneysAsync(false, c)),
            ("loyalty", c => reports.LoyaltyAsync(false, c)),
            ("consent", c => population.ConsentAsync(false, c)),
            ("needs", c => population.NeedsAsync(false, c)),
            ("clv", c => reports.ClvAsync(null, false, c)),
            ("funnel", c => reports.FunnelAsync(from, through, false, c)),
            ("return windows", c => reports.ReturnWindowsAsync(false, CohortPeriod.Month, false, c)),
            ("return windows by visit", c => reports.ReturnWindowsAsync(true, CohortPeriod.Month, false, c)),
            ("channels", c => reports.ChannelsAsync(false, c)),
            ("reciprocity", c => reports.ReciprocityAsync(false, c)),
            ("snapshot", c => reports.SnapshotAsync(false, c)),
        ];
        var started = Stopwatch.StartNew();
        var startCpu = Cpu();
        foreach (var (name, warm) in all)
        {
            try
            {
                var watch = Stopwatch.StartNew();
                var cpu = Cpu();
                await warm(stoppingToken);
                log.LogInformation(
                    "Dashboard report {Report} computed at start in {Seconds:0.0} s ({Cpu:0.0} s process CPU)", name, watch.Elapsed.TotalSeconds, (Cpu() - cpu).TotalSeconds);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Warming the {Report} report failed; the first page view will compute it", name);
            }
        }

        log.LogInformation("Dashboard reports computed at start ({Seconds:0} s, {Cpu:0} s process CPU)", started.Elapsed.TotalSeconds, (Cpu() - startCpu).TotalSeconds);
    }

    /// <summary>The whole process's CPU (user + system): other work runs beside the warmer, so a report's figure is an upper bound.</summary>
    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;
}
