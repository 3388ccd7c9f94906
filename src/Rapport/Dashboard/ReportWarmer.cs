using Rapport.Core.Analytics;
using Rapport.Engine.Analytics;

namespace Rapport.Dashboard;

/// <summary>Whether the report caches are filled as the server starts (Rapport:Dashboard:WarmReports, default true).</summary>
public sealed record ReportWarming(bool AtStart);

/// <summary>
/// Computes the reports the dashboard's pages read as the server starts, one after another in
/// the background, so the first person to open a page after a restart is not the one who waits
/// for a pass over every order (seconds at a million customers). A failure is logged and the
/// page computes on first view as before.
/// </summary>
internal sealed class ReportWarmer(ReportWarming warming, RelationshipReports reports, PopulationReports population, ILogger<ReportWarmer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!warming.AtStart)
        {
            return;
        }

        await Task.Yield(); // let the host finish starting
        (string Name, Func<CancellationToken, Task> Warm)[] all =
        [
            ("snapshot", c => reports.SnapshotAsync(false, c)),
            ("health", c => reports.HealthAsync(false, c)),
            ("uplift", c => reports.UpliftAsync(false, c)),
            ("journeys", c => reports.JourneysAsync(false, c)),
            ("loyalty", c => reports.LoyaltyAsync(false, c)),
            ("reciprocity", c => reports.ReciprocityAsync(false, c)),
            ("channels", c => reports.ChannelsAsync(false, c)),
            ("return windows", c => reports.ReturnWindowsAsync(false, CohortPeriod.Month, false, c)),
            ("needs", c => population.NeedsAsync(false, c)),
            ("consent", c => population.ConsentAsync(false, c)),
        ];
        foreach (var (name, warm) in all)
        {
            try
            {
                await warm(stoppingToken);
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

        log.LogInformation("Dashboard reports computed at start");
    }
}
