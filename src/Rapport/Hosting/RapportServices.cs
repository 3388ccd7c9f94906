using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Keys;
using Rapport.Core.Storage;
using Rapport.Core.Value;

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
        services.AddSingleton<EventWriter>();
        services.AddSingleton<IBeforeCommit, CustomerStateRebuilder>();
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
}
