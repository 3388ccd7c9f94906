using System.Globalization;
using Rapport.Core.Analytics;
using Rapport.Core.Keys;
using Rapport.Engine.Analytics;

namespace Rapport.Http;

/// <summary>
/// GET /v1/analytics/funnel, cart-abandonment, return-windows, channels, clv-predicted-vs-actual, uplift,
/// acceptance, reciprocity, loyalty and alarms (admin key): JSON, or CSV with ?format=csv, from the report
/// cache (?refresh=true recomputes first). docs/analytics.md lists them.
/// </summary>
internal static class RelationshipAnalyticsEndpoints
{
    public const int MaxFunnelDays = 731;

    public static void MapRelationshipAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/analytics").RequireKey(KeyKind.Admin).WithTags("Analytics");
        g.MapGet("/funnel", (RelationshipReports r, string? from, string? through, string? format, bool? refresh, CancellationToken ct) =>
            FunnelAsync(r, from, through, refresh, ct, f => AnalyticsEndpoints.Reply(format, f, RelationshipCsv.Funnel, "funnel")))
            .WithSummary("Customers reaching Product Viewed, Product Added, Checkout Started, Order Completed between from and through (UTC days, default the last 30)");
        g.MapGet("/cart-abandonment", (RelationshipReports r, string? from, string? through, string? format, bool? refresh, CancellationToken ct) =>
            FunnelAsync(r, from, through, refresh, ct, f => AnalyticsEndpoints.Reply(
                format, new { f.From, f.Through, f.AddedToCart, f.AddedAndOrdered, f.CartAbandonmentRate }, _ => RelationshipCsv.CartAbandonment(f), "cart-abandonment")))
            .WithSummary("Share of customers who added a product in the period and completed no order in it");
        g.MapGet("/return-windows", async (RelationshipReports r, string? basis, string? period, string? format, bool? refresh, CancellationToken ct) =>
        {
            if (basis is not (null or "" or "purchase" or "visit"))
            {
                return Problems.BadRequest("Bad basis", $"basis '{basis}' is not known; use purchase (the default: cohorts by first sale) or visit (by first page, screen or track event).");
            }

            if (!Periods.TryParse(period, out var p))
            {
                return Problems.BadRequest("Bad period", $"period '{period}' is not known; use month (the default) or week.");
            }

            return AnalyticsEndpoints.Reply(format, (await r.ReturnWindowsAsync(basis == "visit", p, refresh == true, ct)).Report, RelationshipCsv.ReturnWindows, "return-windows");
        }).WithSummary("Cohorts by first purchase or first visit (?basis=purchase|visit&period=month|week): share back on a later day within 1, 7 and 30 days");
        g.MapGet("/channels", async (RelationshipReports r, string? format, bool? refresh, CancellationToken ct) =>
            AnalyticsEndpoints.Reply(format, (await r.ChannelsAsync(refresh == true, ct)).Report, RelationshipCsv.Channels, "channels"))
            .WithSummary("Multichannel against single-channel customers: count, net revenue and orders per customer and per buyer");
        g.MapGet("/clv-predicted-vs-actual", ClvAsync)
            .WithSummary("Customers by predicted-CLV decile of a stored model (?model=, default the oldest with predictions) against their actual spend since");
        g.MapGet("/uplift", async (RelationshipReports r, string? format, bool? refresh, CancellationToken ct) =>
            AnalyticsEndpoints.Reply(format, (await r.UpliftAsync(refresh == true, ct)).Report.Rows, rows => RelationshipCsv.Uplift(new UpliftReport(rows, [])), "uplift"))
            .WithSummary("Every action's and journey's treated group against its control group (subject action | journey; a journey converts when an enrolment reaches its goal): conversion rates, difference and 95% interval");
        g.MapGet("/acceptance", async (RelationshipReports r, string? format, bool? refresh, CancellationToken ct) =>
            AnalyticsEndpoints.Reply(format, (await r.UpliftAsync(refresh == true, ct)).Report.Acceptance, rows => RelationshipCsv.Acceptance(new UpliftReport([], rows)), "acceptance"))
            .WithSummary("Acceptance of shown offers, discounts, rewards, surprises…: accepted over accepted + ignored, by kind");
        g.MapGet("/reciprocity", async (RelationshipReports r, string? format, bool? refresh, CancellationToken ct) =>
            AnalyticsEndpoints.Reply(format, (await r.ReciprocityAsync(refresh == true, ct)).Report, RelationshipCsv.Reciprocity, "reciprocity"))
            .WithSummary("The reciprocity balance (given − received) across every customer: quantiles and histogram");
        g.MapGet("/loyalty", async (RelationshipReports r, string? format, bool? refresh, CancellationToken ct) =>
            AnalyticsEndpoints.Reply(format, (await r.LoyaltyAsync(refresh == true, ct)).Report, RelationshipCsv.Loyalty, "loyalty"))
            .WithSummary("Loyalty members by tier, points outstanding and their value (CSV: members by tier)");
        g.MapGet("/alarms", async (RelationshipReports r, string? format, bool? refresh, CancellationToken ct) =>
        {
            var h = (await r.HealthAsync(refresh == true, ct)).Report;
            return AnalyticsEndpoints.Reply(format, new { h.Rules, h.Alarms, h.Checks }, _ => RelationshipCsv.Health(h), "alarms");
        })
            .WithSummary("Relationship-health rules (configuration Rapport:Alarms), every check made and the alarms firing");
    }

    private static async Task<IResult> FunnelAsync(
        RelationshipReports reports, string? from, string? through, bool? refresh, CancellationToken ct, Func<FunnelReport, IResult> reply)
    {
        var (defaultFrom, defaultThrough) = reports.Queries.DefaultPeriod();
        if (!TryDay(from, defaultFrom, out var f) || !TryDay(through, defaultThrough, out var t))
        {
            return Problems.BadRequest("Bad date", $"from '{from}' and through '{through}' must be days as yyyy-MM-dd (UTC); leave both out for the last {RelationshipQueries.DefaultFunnelDays} days.");
        }

        if (t < f || t.DayNumber - f.DayNumber >= MaxFunnelDays)
        {
            return Problems.BadRequest("Bad period", $"through ({t:yyyy-MM-dd}) must be on or after from ({f:yyyy-MM-dd}) and at most {MaxFunnelDays} days later.");
        }

        return reply((await reports.FunnelAsync(f, t, refresh == true, ct)).Report);
    }

    private static async Task<IResult> ClvAsync(RelationshipReports reports, string? model, string? format, bool? refresh, CancellationToken ct)
    {
        long? id = null;
        if (!string.IsNullOrEmpty(model))
        {
            if (!long.TryParse(model, NumberStyles.None, CultureInfo.InvariantCulture, out var m))
            {
                return Problems.BadRequest("Bad model", $"model '{model}' must be a CLV model id (a whole number); leave it out for the oldest model with predictions.");
            }

            id = m;
        }

        var report = (await reports.ClvAsync(id, refresh == true, ct)).Report;
        return report is null
            ? Problems.NotFound($"CLV model {id} has no stored predictions (the store keeps the current and the previous fit's); GET /v1/analytics/clv-predicted-vs-actual lists the models that do.")
            : AnalyticsEndpoints.Reply(format, report, RelationshipCsv.Clv, "clv-predicted-vs-actual");
    }

    private static bool TryDay(string? text, DateOnly fallback, out DateOnly day)
    {
        day = fallback;
        return string.IsNullOrEmpty(text) || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
