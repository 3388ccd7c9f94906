namespace Rapport.Core.Analytics;

/// <summary>
/// Needs and consent across the customer base, as the dashboard's population pages and
/// GET /v1/analytics/needs and /consent read them: through <see cref="ReportCache"/> (a page
/// view is a dictionary look-up once computed), warmed at start-up by the dashboard's
/// ReportWarmer. Stale after ten minutes, but only recomputed then when their change marker
/// (<see cref="ChangeMarker"/>) moved: minutes of CPU at a million customers otherwise, every
/// ten minutes. Consent also depends on the clock (pauses ending, the weeks shown), so its marker
/// includes the hour: recomputed at most hourly when nothing else changes.
/// </summary>
public sealed class PopulationReports(ReportCache cache, NeedsOverview needs, ConsentOverview consent, Storage.IDatabase database, TimeProvider clock)
{
    public Task<Cached<NeedsOverviewReport>> NeedsAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("needs-overview", needs.ComputeAsync, c => ChangeMarker.ReadAsync(database, ChangeMarker.Needs, c), refresh, ct);

    public Task<Cached<ConsentOverviewReport>> ConsentAsync(bool refresh = false, CancellationToken ct = default) =>
        cache.GetAsync("consent-overview", consent.ComputeAsync, ConsentChangesAsync, refresh, ct);

    private async Task<string> ConsentChangesAsync(CancellationToken ct) =>
        await ChangeMarker.ReadAsync(database, ChangeMarker.Consent, ct) + "|" + clock.GetUtcNow().ToUnixTimeSeconds() / 3600;
}

/// <summary>The population reports as CSV tables (AnalyticsCsv's form), one per chart.</summary>
public static class PopulationCsv
{
    /// <summary>The tables GET /v1/analytics/needs?format=csv&amp;table= can give.</summary>
    public static readonly IReadOnlyList<string> NeedsTables = ["clusters", "categories", "price-sensitivity", "channels", "values-most", "interests"];

    public static readonly IReadOnlyList<string> ConsentTables = ["grants", "weeks", "sources", "settings"];

    public static string Needs(NeedsOverviewReport r, string table) => table switch
    {
        "clusters" => AnalyticsCsv.Table(
            ["index", "label", "customers", .. CentroidFeatures(r)],
            r.Clusters.Clusters.Select(c => new object?[] { c.Index, c.Label, c.Size }.Concat(CentroidFeatures(r).Select(f => (object?)c.Centroid.GetValueOrDefault(f))).ToArray())),
        "categories" => AnalyticsCsv.Table(["category", "customers", "mean_affinity", "top_category_for"], r.Categories.Select(c => new object?[] { c.Category, c.Customers, c.MeanAffinity, c.TopFor })),
        "price-sensitivity" => AnalyticsCsv.Table(["from", "to", "customers"], r.PriceSensitivity.Select(b => new object?[] { b.From, b.To, b.Customers })),
        "channels" => AnalyticsCsv.Table(["channel", "customers", "mean_share", "main_channel_for"], r.Channels.Select(c => new object?[] { c.Channel, c.Customers, c.MeanShare, c.MainFor })),
        "values-most" => AnalyticsCsv.Table(["values_most", "customers"], r.ValuesMost.Select(v => new object?[] { v.Value, v.Customers })),
        "interests" => AnalyticsCsv.Table(["interest", "customers"], r.Interests.Select(v => new object?[] { v.Value, v.Customers })),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Not a needs table."),
    };

    public static string Consent(ConsentOverviewReport r, string table) => table switch
    {
        "grants" => AnalyticsCsv.Table(
            ["purpose", "channel", "granted", "denied", "no_answer", "default_granted", "granted_share"],
            r.Cells.Select(c => new object?[] { c.Purpose, c.Channel, c.Granted, c.Denied, c.NoAnswer, c.DefaultGranted ? "true" : "false", c.GrantedShare })),
        "weeks" => AnalyticsCsv.Table(["week", "grants", "withdrawals"], r.Weeks.Select(w => new object?[] { w.Week.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), w.Grants, w.Withdrawals })),
        "sources" => AnalyticsCsv.Table(["source", "answers", "latest_at"], r.Sources.Select(s => new object?[] { s.Source, s.Answers, s.LatestAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) })),
        "settings" => AnalyticsCsv.Table(
            ["setting", "value", "customers"],
            new object?[][]
            {
                ["paused", "now", r.Settings.PausedNow], ["paused", "ended", r.Settings.PauseEnded], ["quiet_hours", "set", r.Settings.QuietHours], ["time_zone", "set", r.Settings.OwnTimeZone],
            }.Concat(r.Settings.WeeklyMaximum.Select(w => new object?[] { "max_per_week", w.Value, w.Customers }))
            .Concat(r.Settings.PreferredChannel.Select(p => new object?[] { "preferred_channel", p.Value, p.Customers }))),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Not a consent table."),
    };

    private static List<string> CentroidFeatures(NeedsOverviewReport r) =>
        r.Clusters.Clusters.SelectMany(c => c.Centroid.Keys).Distinct(StringComparer.Ordinal).ToList();
}
