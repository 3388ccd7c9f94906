using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Dashboard;
using Rapport.Http;

namespace Rapport.Hosting;

/// <summary>Builds the HTTP host: collection API, customer API, OpenAPI, health and status page.</summary>
internal static class RapportApp
{
    public static WebApplication Build(IDatabase database, TimeProvider clock, string urls, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        var value = ValueSettings.From(builder.Configuration);
        builder.Services.AddRapport(database, clock, value);
        builder.Services.AddMessaging(MessagingSettings.From(builder.Configuration, urls));
        builder.Services.AddHostedService<OutboxService>();
        if (value.Scheduled)
        {
            builder.Services.AddHostedService<ValueScheduler>();
        }

        builder.Services.AddHostedService<SegmentSweepService>();
        builder.Services.AddIntake(builder.Configuration);
        builder.Services.AddSingleton<LoyaltyExpiryService>().AddHostedService(sp => sp.GetRequiredService<LoyaltyExpiryService>());
        builder.Services.AddSingleton(TrustedProxies.From(builder.Configuration));
        builder.Services.AddSingleton(new Rapport.Core.Keys.FailedKeyAttempts(
            clock, builder.Configuration.GetValue("Rapport:Keys:UnknownKeysPerMinute", Rapport.Core.Keys.FailedKeyAttempts.DefaultLimit)));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddDashboard(builder.Configuration);
        builder.Services.AddRelationshipAnalytics(builder.Configuration);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        TrustedProxies.Use(app);
        app.UseDiagnosticServerTiming();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi/v1.json");
        app.MapHealth();
        app.MapStatusPage();
        app.MapCollectEndpoints();
        app.MapCustomerEndpoints();
        app.MapValueEndpoints();
        app.MapSegmentEndpoints();
        app.MapMessagingEndpoints();
        app.MapNeedsEndpoints();
        app.MapRecomputeEndpoints();
        app.MapConsentEndpoints();
        app.MapPreferenceEndpoints();
        app.MapErasureEndpoints();
        app.MapJourneyTaskEndpoints();
        app.MapActionEndpoints();
        app.MapRecommendationEndpoints();
        app.MapLoyaltyEndpoints();
        app.MapAnalyticsEndpoints();
        app.MapJourneyEndpoints();
        app.MapConversationEndpoints();
        app.MapRelationshipAnalyticsEndpoints();
        app.MapPopulationAnalyticsEndpoints();
        app.MapDashboard();
        app.Lifetime.ApplicationStopping.Register(() =>
            app.Services.GetRequiredService<EventPipeline>().DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }
}
