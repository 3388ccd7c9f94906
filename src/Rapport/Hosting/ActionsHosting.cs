using Rapport.Core.Actions;

namespace Rapport.Hosting;

/// <summary>Next best action: the catalogue, the engine, and where product offers get their products.</summary>
internal static class ActionsHosting
{
    public static IServiceCollection AddNextBestActions(this IServiceCollection services)
    {
        services.AddSingleton<ActionCatalog>();
        // History first (the clearest reasons), then the recommender's personal ranking.
        services.AddSingleton<HistoryProductSuggestions>();
        services.AddSingleton<IProductSuggestions, Rapport.Core.Recommendations.RecommendedProductSuggestions>();
        services.AddSingleton<NextBestActionEngine>();
        return services;
    }
}
