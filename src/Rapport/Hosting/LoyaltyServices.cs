using Rapport.Core.Events;
using Rapport.Core.Loyalty;

namespace Rapport.Hosting;

/// <summary>Loyalty: the programme, the points ledger and its projection, rewards, expiry and the reciprocity ledger.</summary>
internal static class LoyaltyServices
{
    /// <summary>Register after the order and value projections: tier qualification reads the orders they wrote.</summary>
    public static IServiceCollection AddLoyalty(this IServiceCollection services)
    {
        services.AddSingleton<LoyaltyProgramStore>();
        services.AddSingleton<LoyaltyProgramWriter>();
        services.AddSingleton<LoyaltyProjection>();
        services.AddSingleton<IEventProjection>(sp => sp.GetRequiredService<LoyaltyProjection>());
        services.AddSingleton<LoyaltyLedger>();
        services.AddSingleton<LoyaltyQueries>();
        services.AddSingleton<LoyaltyExpiry>();
        services.AddSingleton<RewardsCatalogue>();
        services.AddSingleton<ReciprocityQueries>();
        services.AddSingleton<Subscriptions>();
        services.AddSingleton<Causes>();
        services.AddSingleton<Donations>();
        services.AddSingleton<CauseReports>();
        services.AddSingleton<DonationProjection>();
        services.AddSingleton<IEventProjection>(sp => sp.GetRequiredService<DonationProjection>());
        services.AddSingleton<SurprisePrograms>();
        services.AddSingleton<SurpriseRunner>();
        services.AddSingleton<SurpriseEffects>();
        services.AddSingleton<Rapport.Core.Pricing.Contracts>();
        services.AddSingleton<Rapport.Core.Pricing.VolumePricing>();
        return services;
    }
}
