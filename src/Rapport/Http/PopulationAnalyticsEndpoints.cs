using Rapport.Core.Analytics;
using Rapport.Core.Keys;

namespace Rapport.Http;

/// <summary>
/// GET /v1/analytics/needs and /v1/analytics/consent (admin key): needs and consent across the
/// customer base, the same reports as the dashboard's Needs and Consent pages, from the report
/// cache (?refresh=true recomputes first). JSON, or one table as CSV with ?format=csv&amp;table=.
/// </summary>
internal static class PopulationAnalyticsEndpoints
{
    public static void MapPopulationAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/analytics").RequireKey(KeyKind.Admin).WithTags("Analytics");
        g.MapGet("/needs", async (PopulationReports r, string? format, string? table, bool? refresh, CancellationToken ct) =>
            Table(format, table, PopulationCsv.NeedsTables) is { } problem
                ? problem
                : AnalyticsEndpoints.Reply(format, (await r.NeedsAsync(refresh == true, ct)).Report, x => PopulationCsv.Needs(x, table ?? "clusters"), "needs-" + (table ?? "clusters")))
            .WithSummary("Needs clusters (label, size, centroid), category affinity, price sensitivity and channel distributions, stated preferences (CSV: ?table=clusters|categories|price-sensitivity|channels|values-most|interests)");
        g.MapGet("/consent", async (PopulationReports r, string? format, string? table, bool? refresh, CancellationToken ct) =>
            Table(format, table, PopulationCsv.ConsentTables) is { } problem
                ? problem
                : AnalyticsEndpoints.Reply(format, (await r.ConsentAsync(refresh == true, ct)).Report, x => PopulationCsv.Consent(x, table ?? "grants"), "consent-" + (table ?? "grants")))
            .WithSummary("Consent across customers: granted/denied/no answer per purpose × channel, answers per week, sources, pauses and quiet hours (CSV: ?table=grants|weeks|sources|settings)");
    }

    /// <summary>A problem when table names no table (or is given without CSV, where it means nothing).</summary>
    private static IResult? Table(string? format, string? table, IReadOnlyList<string> tables)
    {
        if (table is null)
        {
            return null;
        }

        if (!string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.BadRequest("Bad table", $"table picks one CSV table; add format=csv, or leave table out for the whole report as JSON.");
        }

        return tables.Contains(table, StringComparer.Ordinal)
            ? null
            : Problems.BadRequest("Bad table", $"table '{table}' is not known; use one of {string.Join(", ", tables)} (the first is the default).");
    }
}
