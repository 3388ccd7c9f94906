using Rapport.Core.Value;

namespace Rapport.Hosting;

/// <summary>Runs the <see cref="ValueSchedule"/> (value recomputation and CLV refit) in the server, logging its progress.</summary>
internal sealed class ValueScheduler(ValueSchedule schedule, ILogger<ValueScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await schedule.RunAsync(message => logger.LogInformation("{Message}", message), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
