using Rapport.Core.Actions;

namespace Rapport.Hosting;

/// <summary>Next best action: the catalogue, the engine, and where product offers get their products.</summary>
internal static class ActionsHosting
{
    public static IServiceCollection AddNextBestActions(this IServiceCollection services)
    {
        services.AddSingleton<ActionCatalog>();
        // What decisions read about customers, from memory; the invalidation is also the last
        // before-commit hook (registered in RapportServices after the segment projection).
        services.AddSingleton(new DecisionFactsCache());
        services.AddSingleton<DecisionFactsInvalidation>();
        services.AddSingleton<Rapport.Core.Events.IEventProjection>(sp => sp.GetRequiredService<DecisionFactsInvalidation>());
        // History first (the clearest reasons), then the recommender's personal ranking.
        services.AddSingleton<HistoryProductSuggestions>();
        services.AddSingleton<IProductSuggestions, Rapport.Core.Recommendations.RecommendedProductSuggestions>();
        services.AddSingleton<NextBestActionEngine>();
        return services;
    }
}
