using Microsoft.Extensions.DependencyInjection.Extensions;
using Rapport.Core.Events;
using Rapport.Core.Recommendations;

namespace Rapport.Hosting;

/// <summary>The served recommender: the in-memory model, its freshness from events, and its retrain schedule.</summary>
internal static class RecommendationServices
{
    public static IServiceCollection AddRecommendations(this IServiceCollection services)
    {
        services.TryAddSingleton(new RecommendationOptions());
        services.AddSingleton<RecentActivity>();
        services.AddSingleton<Recommender>();
        services.AddSingleton<IEventProjection, RecommendationProjection>();
        services.AddHostedService<RecommendationScheduler>();
        return services;
    }
}

/// <summary>Trains the first model at start-up, then retrains every interval when events made it stale.</summary>
internal sealed class RecommendationScheduler(Recommender recommender, RecommendationOptions options, TimeProvider clock, ILogger<RecommendationScheduler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await TrainAsync(stoppingToken);
            while (options.RetrainInterval > TimeSpan.Zero)
            {
                await Task.Delay(options.RetrainInterval, clock, stoppingToken);
                if (recommender.IsStale)
                {
                    await TrainAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task TrainAsync(CancellationToken ct)
    {
        try
        {
            var info = await recommender.RetrainAsync(ct);
            logger.LogInformation(
                "Recommender trained in {Seconds} s: {Items} items ({Buyable} buyable), {Customers} customers, {Interactions} interactions, {Baskets} baskets",
                info.Seconds, info.Items, info.BuyableItems, info.Customers, info.Interactions, info.Baskets);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The previous model keeps serving; the next tick tries again.
            logger.LogError(e, "Recommender retrain failed; the previous model keeps serving");
        }
    }
}
