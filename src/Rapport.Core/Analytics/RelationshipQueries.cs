using System.Globalization;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Analytics;

namespace Rapport.Core.Analytics;

/// <summary>
/// The funnel, multichannel customers and predicted-against-actual CLV, each one aggregate
/// query (SQL groups the customers; only a handful of rows come back) whose numbers the pure
/// parts in Rapport.Engine/Analytics turn into the report. Pages and the API read them through
/// <see cref="ReportCache"/>.
/// </summary>
public sealed class RelationshipQueries(IDatabase database, TimeProvider clock)
{
    public const int DefaultFunnelDays = 30;

    /// <summary>The default funnel period: the 30 days up to and including today (UTC).</summary>
    public (DateOnly From, DateOnly Through) DefaultPeriod()
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return (today.AddDays(1 - DefaultFunnelDays), today);
    }

    /// <summary>Customers who did each step from the first to the last day given (UTC, both included), grouped by the combination of steps they did.</summary>
    public async Task<FunnelReport> FunnelAsync(DateOnly from, DateOnly through, CancellationToken ct = default)
    {
        var to = through.AddDays(1);
        var steps = Funnel.Steps;
        // Our own constant step names, so they are literals in the SQL (no user text reaches it).
        var flags = string.Join(" + ", steps.Select((s, i) => $"MAX(CASE WHEN name = '{s}' THEN {1 << i} ELSE 0 END)"));
        var names = string.Join(", ", steps.Select(s => $"'{s}'"));
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Steps, long Customers)>(new CommandDefinition(
            $"""
            SELECT steps, COUNT(*) FROM (
              SELECT customer_id, {flags} AS steps
              FROM events
              WHERE type = 'track' AND name IN ({names}) AND occurred_at >= @from AND occurred_at < @to
              GROUP BY customer_id) s
            GROUP BY steps
            """,
            new { from = Ms(from), to = Ms(to) },
            cancellationToken: ct));
        var f = Funnel.Build(steps, rows.Select(r => new StepCombination((int)r.Steps, r.Customers)));
        return new FunnelReport(from, through, f.Steps, f.AddedToCart, f.AddedAndOrdered, f.CartAbandonmentRate);
    }

    /// <summary>
    /// Customers seen on two or more channels (their events and orders, all time; Rapport's own
    /// events such as "Email Sent" are not the customer being seen) against those seen on one: how many, how many bought, sales orders and net revenue. Merged-away customers are left out.
    /// </summary>
    public async Task<ChannelMixReport> ChannelMixAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(long Multi, long Customers, long Buyers, long Orders, long Revenue)>(new CommandDefinition(
            """
            SELECT CASE WHEN n.channels > 1 THEN 1 ELSE 0 END, COUNT(*),
                   COALESCE(SUM(CASE WHEN o.orders > 0 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(o.orders), 0), COALESCE(SUM(o.revenue), 0)
            FROM (SELECT customer_id, COUNT(*) AS channels FROM (
                    SELECT customer_id, channel FROM events WHERE origin = 'customer'
                    UNION
                    SELECT customer_id, channel FROM orders WHERE customer_id IS NOT NULL) ch
                  GROUP BY customer_id) n
            JOIN customers cu ON cu.id = n.customer_id AND cu.merged_into IS NULL
            LEFT JOIN (SELECT customer_id, SUM(CASE WHEN kind = 'sale' THEN 1 ELSE 0 END) AS orders, SUM(total_e4) AS revenue
                       FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id) o ON o.customer_id = n.customer_id
            GROUP BY CASE WHEN n.channels > 1 THEN 1 ELSE 0 END
            """,
            cancellationToken: ct))).ToList();
        ChannelGroupTotals Totals(long multi) =>
            rows.FirstOrDefault(r => r.Multi == multi) is { Customers: > 0 } r
                ? new ChannelGroupTotals(r.Customers, r.Buyers, r.Orders, r.Revenue)
                : new ChannelGroupTotals(0, 0, 0, 0);
        var m = ChannelMix.Figures(ChannelMix.Multichannel, Totals(1));
        var s = ChannelMix.Figures(ChannelMix.SingleChannel, Totals(0));
        return new ChannelMixReport(
            ChannelGroupReport.From(m),
            ChannelGroupReport.From(s),
            ChannelMix.Ratio(m.RevenuePerCustomerE4, s.RevenuePerCustomerE4),
            ChannelMix.Ratio(m.OrdersPerCustomer, s.OrdersPerCustomer));
    }

    /// <summary>
    /// The stored fitted models that still have predictions, oldest first (the store keeps the
    /// current and the previous fit's rows).
    /// </summary>
    public async Task<IReadOnlyList<long>> PredictedModelsAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM clv_models WHERE status = 'fitted' AND EXISTS (SELECT 1 FROM customer_predictions p WHERE p.model_id = clv_models.id) ORDER BY id",
            cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Customers by decile of the model's predicted CLV against their actual net spend (sales and
    /// returns) from the prediction date on. Without a model asked for, the oldest one with
    /// predictions: the longest observed stretch. Null when the model asked for has no predictions.
    /// </summary>
    public async Task<ClvCalibrationReport?> ClvCalibrationAsync(long? model, CancellationToken ct = default)
    {
        var models = await PredictedModelsAsync(ct);
        if (model is { } asked && !models.Contains(asked))
        {
            return null;
        }

        if ((model ?? (models.Count > 0 ? models[0] : null)) is not { } id)
        {
            return new ClvCalibrationReport(null, models, null, null, 0, null, 0, 0, null, null, []);
        }

        await using var c = await database.OpenAsync(ct);
        var m = await c.QuerySingleAsync<(long? CalibrationEnd, long Horizon)>(new CommandDefinition(
            "SELECT calibration_end, horizon_weeks FROM clv_models WHERE id = @id", new { id }, cancellationToken: ct));
        // calibration_end is the midnight starting the last calibration day: predictions run from the day after.
        var since = (m.CalibrationEnd ?? 0) + 86_400_000L;
        var rows = await c.QueryAsync<(long Decile, long Customers, long Predicted, long Actual)>(new CommandDefinition(
            """
            SELECT decile, COUNT(*), COALESCE(SUM(clv_e4), 0), COALESCE(SUM(actual), 0) FROM (
              SELECT NTILE(10) OVER (ORDER BY p.clv_e4, p.customer_id) AS decile, p.clv_e4, COALESCE(a.spend, 0) AS actual
              FROM customer_predictions p
              LEFT JOIN (SELECT customer_id, SUM(total_e4) AS spend FROM orders
                         WHERE customer_id IS NOT NULL AND placed_at >= @since GROUP BY customer_id) a ON a.customer_id = p.customer_id
              WHERE p.model_id = @id) d
            GROUP BY decile ORDER BY decile
            """,
            new { id, since },
            cancellationToken: ct));
        var r = ClvCalibration.Build(
            rows.Select(x => new ClvDecileTotals((int)x.Decile, x.Customers, x.Predicted, x.Actual)).ToList(),
            since,
            UnixTime.ToStorage(clock.GetUtcNow()),
            (int)m.Horizon);
        return new ClvCalibrationReport(
            id,
            models,
            DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(since).UtcDateTime),
            (int)m.Horizon,
            Math.Round(r.ObservedWeeks, 1),
            r.HorizonElapsed,
            Money.FromStorage(r.PredictedE4),
            Money.FromStorage(r.ActualE4),
            r.ActualOverPredicted,
            r.TopDecileShareOfActual,
            r.Deciles.Select(d => new ClvDecileReport(
                d.Decile, d.Customers, ChannelGroupReport.Units(d.PredictedMeanE4) ?? 0, ChannelGroupReport.Units(d.ActualMeanE4) ?? 0, d.ShareOfActual)).ToList());
    }

    /// <summary>
    /// Cohorts by first purchase (sales) or first visit (track, page and screen events the customer
    /// made, not Rapport's own) with the
    /// share who came back on a later day within 1, 7 and 30 days (Engine/Analytics ReturnWindows).
    /// SQL gives each customer's first activity and their first activity from the next UTC day on.
    /// </summary>
    public async Task<ReturnWindowReport> ReturnWindowsAsync(bool byVisit, CohortPeriod period, CancellationToken ct = default)
    {
        // Our own constant table and column names only: nothing from the request reaches the SQL.
        var (table, time, filter) = byVisit
            ? ("events", "occurred_at", "{0}type IN ('track', 'page', 'screen') AND {0}origin = 'customer'")
            : ("orders", "placed_at", "{0}kind = 'sale' AND {0}customer_id IS NOT NULL");
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long First, long? Next)>(new CommandDefinition(
            $"""
            SELECT f.first_at, (SELECT MIN(x.{time}) FROM {table} x
                                WHERE x.customer_id = f.customer_id AND {string.Format(CultureInfo.InvariantCulture, filter, "x.")}
                                AND x.{time} >= f.first_at - (f.first_at % {ReturnWindows.MsPerDay}) + {ReturnWindows.MsPerDay})
            FROM (SELECT customer_id, MIN({time}) AS first_at FROM {table} WHERE {string.Format(CultureInfo.InvariantCulture, filter, "")} GROUP BY customer_id) f
            """,
            cancellationToken: ct));
        var days = ReturnWindows.DefaultDays;
        var latest = rows.Select(r => (long?)Math.Max(r.First, r.Next ?? long.MinValue)).DefaultIfEmpty().Max();
        return new ReturnWindowReport(
            byVisit ? "visit" : "purchase",
            period.ToString().ToLowerInvariant(),
            days,
            ReturnWindows.Build(period, rows, Periods.ObservedThrough(UnixTime.ToStorage(clock.GetUtcNow()), latest), days));
    }

    private static long Ms(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
}
