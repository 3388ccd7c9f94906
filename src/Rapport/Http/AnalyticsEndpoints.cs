using Rapport.Core.Analytics;
using Rapport.Core.Keys;
using Rapport.Engine.Analytics;

namespace Rapport.Http;

/// <summary>
/// GET /v1/analytics/*: the figures behind the dashboard's overview and analytics pages, as
/// JSON or, with ?format=csv, as CSV (admin key). They come from the analytics cache
/// (?refresh=true recomputes first); weekly cohorts are computed on request.
/// </summary>
internal static class AnalyticsEndpoints
{
    public static void MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/analytics").RequireKey(KeyKind.Admin).WithTags("Analytics");
        g.MapGet("/overview", async (RelationshipReports cache, string? format, bool? refresh, CancellationToken ct) =>
            Reply(format, (await SnapshotAsync(cache, refresh, ct)).Overview, AnalyticsCsv.RevenueByMonth, "revenue-by-month"))
            .WithSummary("Customers, buyers, orders, net revenue, active customers, revenue by month, tiers (CSV: revenue by month)");
        g.MapGet("/cohorts", CohortsAsync)
            .WithSummary("Retention by first-purchase cohort: share of each cohort buying again 1, 2, … periods later (?period=month|week&offsets=12)");
        g.MapGet("/repeat-purchase", async (RelationshipReports cache, string? format, bool? refresh, CancellationToken ct) =>
        {
            var c = (await SnapshotAsync(cache, refresh, ct)).Cohorts;
            return Reply(format, new RepeatPurchaseReport(c.Buyers, c.RepeatBuyers, c.RepeatRate), AnalyticsCsv.RepeatPurchase, "repeat-purchase");
        }).WithSummary("Share of buyers with two or more orders");
        g.MapGet("/clv-distribution", async (RelationshipReports cache, string? format, bool? refresh, CancellationToken ct) =>
            Reply(format, (await SnapshotAsync(cache, refresh, ct)).Clv, AnalyticsCsv.Clv, "clv-distribution"))
            .WithSummary("Histogram and quantiles of the current CLV model's predictions");
        g.MapGet("/pareto-curve", async (RelationshipReports cache, string? format, bool? refresh, CancellationToken ct) =>
            Reply(format, (await SnapshotAsync(cache, refresh, ct)).Pareto, AnalyticsCsv.Pareto, "pareto"))
            .WithSummary("The Pareto curve of net revenue and margin at every 5% of buyers (cached; /v1/analytics/pareto computes live with your own top and points)");
    }

    private static async Task<IResult> CohortsAsync(
        RelationshipReports cache, AnalyticsQueries queries, string? format, string? period, int? offsets, bool? refresh, CancellationToken ct)
    {
        if (!Periods.TryParse(period, out var p))
        {
            return Problems.BadRequest("Bad period", $"period '{period}' is not known; use month (the default) or week.");
        }

        if (offsets is < 1 or > 104)
        {
            return Problems.BadRequest("Bad offsets", $"offsets {offsets} must be between 1 and 104 periods after the first purchase (default {AnalyticsQueries.CohortOffsets}).");
        }

        var report = p == CohortPeriod.Month && (offsets ?? AnalyticsQueries.CohortOffsets) == AnalyticsQueries.CohortOffsets
            ? (await SnapshotAsync(cache, refresh, ct)).Cohorts
            : await queries.CohortsAsync(p, offsets ?? AnalyticsQueries.CohortOffsets, ct);
        return Reply(format, report, AnalyticsCsv.Cohorts, "cohorts");
    }

    private static async Task<AnalyticsSnapshot> SnapshotAsync(RelationshipReports cache, bool? refresh, CancellationToken ct) =>
        (await cache.SnapshotAsync(refresh == true, ct)).Report;

    /// <summary>JSON by default; CSV as a download for ?format=csv; a 400 naming both for anything else.</summary>
    public static IResult Reply<T>(string? format, T body, Func<T, string> csv, string name) => format?.ToLowerInvariant() switch
    {
        null or "" or "json" => TypedResults.Ok(body),
        "csv" => Results.Text(csv(body), "text/csv; charset=utf-8", statusCode: 200) is var r
            ? new CsvResult(r, $"{name}.csv")
            : r,
        _ => Problems.BadRequest("Bad format", $"format '{format}' is not supported; use json (the default) or csv."),
    };

    /// <summary>Adds Content-Disposition so browsers save the CSV under a useful name.</summary>
    private sealed class CsvResult(IResult inner, string fileName) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
