using Rapport.Core.Loyalty;

namespace Rapport.Hosting;

/// <summary>
/// Runs the nightly loyalty job (<see cref="LoyaltyExpiry"/>: expire lots past their date,
/// re-evaluate tiers) and then every active surprise programme (<see cref="SurpriseRunner"/>) every day at <see cref="RunAtUtc"/>, by the <see cref="TimeProvider"/> so
/// tests move the clock. A failed run is logged and tried again the next night.
/// </summary>
internal sealed class LoyaltyExpiryService(LoyaltyExpiry expiry, SurpriseRunner surprises, TimeProvider clock, ILogger<LoyaltyExpiryService> log) : BackgroundService
{
    public static readonly TimeSpan RunAtUtc = TimeSpan.FromHours(2);

    /// <summary>Raised after each run (for tests and logs).</summary>
    public event Action<ExpirySummary>? Ran;

    /// <summary>Raised with the time the service sleeps until, once its timer is set.</summary>
    public event Action<DateTimeOffset>? Waiting;

    public static DateTimeOffset NextRun(DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero) + RunAtUtc;
        return today > now ? today : today.AddDays(1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = NextRun(now);
            try
            {
                var sleep = Task.Delay(next - now, clock, stoppingToken);
                Waiting?.Invoke(next);
                await sleep;
                var summary = await expiry.RunAsync(stoppingToken);
                log.LogInformation(
                    "Loyalty: {Lots} lots ({Points} points) expired in {Seconds:0.0} s; {Changed} of {Evaluated} tiers changed",
                    summary.LotsExpired, summary.PointsExpired, summary.ExpirySeconds, summary.TiersChanged, summary.TiersEvaluated);
                foreach (var run in await surprises.RunAllAsync(stoppingToken))
                {
                    log.LogInformation(
                        "Surprises: programme {Program} gave {Gifts} gifts, held out {Held}, skipped {Skipped} without consent; {Left} of the budget left",
                        run.ProgramId, run.Gifts, run.HeldOut, run.SkippedNoConsent, run.BudgetLeft);
                }

                Ran?.Invoke(summary);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "The nightly loyalty job failed; trying again at {Next}", NextRun(clock.GetUtcNow()));
            }
        }
    }
}
