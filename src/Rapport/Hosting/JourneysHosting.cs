using Rapport.Core.Actions;
using Rapport.Core.Journeys;
using Rapport.Core.Loyalty;
using Rapport.Core.Messaging;

namespace Rapport.Hosting;

/// <summary>Journeys: definitions, the engine (feed, sweeps, runner), the ready-made library and the background loop.</summary>
internal static class JourneysHosting
{
    public static IServiceCollection AddJourneys(this IServiceCollection services)
    {
        services.AddSingleton<JourneyStore>();
        services.AddSingleton<JourneyCatalog>();
        services.AddSingleton<JourneyQueries>();
        services.AddSingleton<JourneyLibrary>();
        services.AddSingleton(sp => new JourneyActions(
            sp.GetRequiredService<Rapport.Core.Storage.IDatabase>(), sp.GetRequiredService<MessageComposer>(),
            sp.GetService<NextBestActionEngine>(), sp.GetService<LoyaltyLedger>()));
        services.AddSingleton<JourneyFeed>();
        services.AddSingleton<JourneySweeps>();
        services.AddSingleton<JourneyRunner>();
        services.AddSingleton<JourneyEngine>();
        services.AddSingleton<JourneyTasks>();
        services.AddSingleton<Rapport.Core.Events.IEventProjection, JourneyMergeProjection>(); // enrolments follow merges
        services.AddHostedService<JourneyService>();
        return services;
    }
}

/// <summary>
/// Moves journeys in the background: a round every second (new events, sweeps, due timers), or
/// sooner after a round that did something. Timers live in the store, so a restart simply picks
/// up what fell due while the process was down.
/// </summary>
internal sealed class JourneyService(JourneyEngine engine, TimeProvider clock, ILogger<JourneyService> log) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!(await engine.RunOnceAsync(stoppingToken)).Idle)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Journey round failed; trying again in {Poll}", Poll);
            }

            try
            {
                await Task.Delay(Poll, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
