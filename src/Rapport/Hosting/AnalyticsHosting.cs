using Rapport.Core.Analytics;
using Rapport.Engine.Analytics;

namespace Rapport.Hosting;

/// <summary>The later analytics (funnel, channels, predicted CLV, uplift, reciprocity, health alarms) and their report cache.</summary>
internal static class AnalyticsHosting
{
    public static IServiceCollection AddRelationshipAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        var rules = configuration.GetSection("Rapport:Alarms").Get<AlarmRules>() ?? new AlarmRules();
        if (rules.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("Configuration Rapport:Alarms is not valid: " + string.Join("; ", problems) + ".");
        }

        services.AddSingleton(rules);
        services.AddSingleton<ReportCache>();
        services.AddSingleton<RelationshipQueries>();
        services.AddSingleton<AnalyticsQueries>();
        services.AddSingleton<IUpliftSource, ActionUpliftSource>();
        services.AddSingleton<IUpliftSource, JourneyUpliftSource>();
        services.AddSingleton<JourneyReports>();
        services.AddSingleton<UpliftQueries>();
        services.AddSingleton<ReciprocityDistribution>();
        services.AddSingleton<HealthQueries>();
        services.AddSingleton<LoyaltyOverview>();
        services.AddSingleton<RelationshipReports>();
        return services;
    }
}
