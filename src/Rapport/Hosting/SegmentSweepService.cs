using Rapport.Core.Segments;
using Rapport.Core.Storage;

namespace Rapport.Hosting;

/// <summary>
/// Keeps time-window segments right by the clock alone: loads the segment state at start-up,
/// then every <see cref="Interval"/> re-evaluates the customers whose counted events left a
/// window (windows are whole UTC days, so most sweeps find nothing due and cost one query for
/// customers created by imports).
/// </summary>
internal sealed class SegmentSweepService(StoreWriter writer, SegmentRuntime runtime, TimeProvider clock, ILogger<SegmentSweepService> log)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await writer.WriteAsync(unit => runtime.SweepAsync(unit, stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Segment sweep failed; trying again in {Interval}", Interval);
            }

            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
