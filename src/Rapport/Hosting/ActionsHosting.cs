using Rapport.Core.Actions;

namespace Rapport.Hosting;

/// <summary>Next best action: the catalogue, the engine, and where product offers get their products.</summary>
internal static class ActionsHosting
{
    public static IServiceCollection AddNextBestActions(this IServiceCollection services)
    {
        services.AddSingleton<ActionCatalog>();
        // The recommender (issue 4 item 2) replaces this registration with its own IProductSuggestions.
        services.AddSingleton<IProductSuggestions, HistoryProductSuggestions>();
        services.AddSingleton<NextBestActionEngine>();
        return services;
    }
}
