namespace Rapport.Core.Analytics;

/// <summary>
/// The later analytics as the pages and the API read them: each report through
/// <see cref="ReportCache"/> under a key naming its parameters, so a page view costs a
/// dictionary look-up once the report is computed (refresh = true recomputes first).
/// </summary>
public sealed class RelationshipReports(
    ReportCache cache, AnalyticsQueries analytics, RelationshipQueries relationships, UpliftQueries uplift, ReciprocityDistribution reciprocity,
    HealthQueries health, LoyaltyOverview loyalty, JourneyReports journeys, Journeys.JourneyQueries journey)
{
    /// <summary>The overview snapshot (revenue by month, monthly cohorts, CLV distribution, Pareto): one pass over the orders.</summary>
    public Task<Cached<AnalyticsSnapshot>> SnapshotAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("snapshot", analytics.ComputeAsync, refresh, ct);

    public RelationshipQueries Queries => relationships;

    public Task<Cached<FunnelReport>> FunnelAsync(DateOnly from, DateOnly through, bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync($"funnel:{from.DayNumber}:{through.DayNumber}", c => relationships.FunnelAsync(from, through, c), refresh, ct);

    public Task<Cached<ReturnWindowReport>> ReturnWindowsAsync(bool byVisit, Rapport.Engine.Analytics.CohortPeriod period, bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync($"return-windows:{byVisit}:{period}", c => relationships.ReturnWindowsAsync(byVisit, period, c), refresh, ct);

    public Task<Cached<ChannelMixReport>> ChannelsAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("channels", relationships.ChannelMixAsync, refresh, ct);

    /// <summary>Null report when the model asked for has no stored predictions.</summary>
    public Task<Cached<ClvCalibrationReport?>> ClvAsync(long? model, bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync($"clv:{model}", c => relationships.ClvCalibrationAsync(model, c), refresh, ct);

    public Task<Cached<UpliftReport>> UpliftAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("uplift", uplift.ComputeAsync, refresh, ct);

    public Task<Cached<ReciprocityDistributionReport>> ReciprocityAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("reciprocity", reciprocity.ComputeAsync, refresh, ct);

    public Task<Cached<LoyaltyOverviewReport>> LoyaltyAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("loyalty", loyalty.ComputeAsync, refresh, ct);

    public Task<Cached<JourneysReport>> JourneysAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("journeys", journeys.ComputeAsync, refresh, ct);

    /// <summary>One journey's figures by group and step (Journeys/ JourneyQueries), cached per journey.</summary>
    public Task<Cached<Journeys.JourneyStats>> JourneyAsync(long id, bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync($"journey:{id}", c => journey.StatsAsync(id, c), refresh, ct);

    public Task<Cached<HealthReport>> HealthAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("health", health.EvaluateAsync, refresh, ct);
}
