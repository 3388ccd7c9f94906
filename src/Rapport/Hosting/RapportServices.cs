using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Keys;
using Rapport.Core.Recompute;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Segments;

namespace Rapport.Hosting;

/// <summary>The object graph shared by the HTTP host and the CLI commands.</summary>
internal static class RapportServices
{
    public static IServiceCollection AddRapport(this IServiceCollection services, IDatabase database, TimeProvider clock, ValueOptions? value = null)
    {
        services.AddSingleton(database);
        services.AddSingleton(clock);
        services.AddSingleton<IdentityResolver>();
        services.AddSingleton<IEventProjection, TraitsProjection>();
        services.AddSingleton<IEventProjection, OrderProjection>();
        services.AddSingleton<IEventProjection, CartProjection>();
        services.AddSingleton<IEventProjection, ValueProjection>(); // after OrderProjection: reads the orders it wrote
        services.AddNeeds();
        services.AddLoyalty();
        services.AddSegments();
        services.AddConsent();
        services.AddPreferences();
        services.AddErasure();
        services.AddNextBestActions();
        services.AddRecommendations();
        services.AddJourneys();
        services.AddConversations();
        services.AddSingleton<EventWriter>();
        services.AddSingleton<IBeforeCommit, CustomerStateRebuilder>();
        // After CustomerStateRebuilder: membership is evaluated once every projection has written.
        services.AddSingleton<IBeforeCommit>(sp => sp.GetRequiredService<SegmentProjection>());
        services.AddSingleton<IBeforeCommit>(sp => sp.GetRequiredService<Rapport.Core.Actions.DecisionFactsInvalidation>()); // last: drops what every write above changed
        services.AddSingleton<StoreWriter>();
        services.AddSingleton<EventPipeline>();
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<EventPipeline>());
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<CustomerQueries>();
        services.AddSingleton<CommerceQueries>();
        services.AddSingleton<Merges>();
        services.AddSingleton(value ?? new ValueOptions());
        services.AddSingleton<ValuePopulationCache>();
        services.AddSingleton<ValueRecompute>();
        services.AddSingleton<ClvRefit>();
        services.AddSingleton<CustomerCosts>();
        services.AddSingleton<ValueQueries>();
        services.AddSingleton<ValueSchedule>();
        return services;
    }

    /// <summary>Segments: the field catalog, one fact source per field family, the live runtime and its projection.</summary>
    private static void AddSegments(this IServiceCollection services)
    {
        services.AddSingleton(SegmentFields.Default);
        services.AddSingleton<ICustomerFactSource, TraitFacts>();
        services.AddSingleton<ICustomerFactSource, CustomerValueFacts>();
        services.AddSingleton<ICustomerFactSource, PredictionFacts>();
        services.AddSingleton<SnapshotLoader>();
        services.AddSingleton<SegmentRuntime>();
        services.AddSingleton<SegmentProjection>();
        services.AddSingleton<IEventProjection>(sp => sp.GetRequiredService<SegmentProjection>());
        services.AddSingleton<SegmentJobs>();
        services.AddSingleton<FullRecompute>(); // value, needs, then segments: here because segments come last
        services.AddSingleton<SegmentService>();
        services.AddSingleton<SegmentStore>();
    }
}
