using Rapport.Core.Erasure;
using Rapport.Core.Messaging;

namespace Rapport.Hosting;

/// <summary>Carrying out erasure requests, and the outbox gate that keeps erased customers from being contacted again.</summary>
internal static class ErasureHosting
{
    public static IServiceCollection AddErasure(this IServiceCollection services)
    {
        services.AddSingleton<ErasedCustomers>();
        services.AddSingleton<ErasureExecutor>();
        services.AddSingleton<IContactGate, ErasureGate>();
        return services;
    }
}
