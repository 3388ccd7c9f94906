using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Analytics;

namespace Rapport.Core.Analytics;

/// <summary>
/// Reads what the relationship-health rules judge (Engine/Analytics HealthAlarms): the newest
/// fully observed first-purchase weeks with how many came back within 7 days, and the repeat
/// rate of the last period against the one before, both relative to now.
/// </summary>
public sealed class HealthQueries(IDatabase database, AlarmRules rules, TimeProvider clock)
{
    private const long Day = 86_400_000L;

    public AlarmRules Rules => rules;

    public async Task<HealthReport> EvaluateAsync(CancellationToken ct = default)
    {
        var now = UnixTime.ToStorage(clock.GetUtcNow());
        // Week c-2 ended at least 7 days ago: every member has had a full week to come back.
        var current = Periods.Of(now, CohortPeriod.Week);
        var first = current - 1 - rules.CohortWeeks;
        long since = Start(first), until = Start(current - 1);
        await using var c = await database.OpenAsync(ct);
        var newcomers = await c.QueryAsync<(long First, long Returned)>(new CommandDefinition(
            """
            SELECT f.first_at, CASE WHEN EXISTS (
                SELECT 1 FROM orders o2 WHERE o2.customer_id = f.customer_id AND o2.kind = 'sale'
                AND o2.placed_at > f.first_at AND o2.placed_at <= f.first_at + @week) THEN 1 ELSE 0 END
            FROM (SELECT customer_id, MIN(placed_at) AS first_at FROM orders
                  WHERE kind = 'sale' AND customer_id IS NOT NULL GROUP BY customer_id) f
            WHERE f.first_at >= @since AND f.first_at < @until
            """,
            new { week = 7 * Day, since, until },
            cancellationToken: ct));
        var byWeek = newcomers.ToLookup(r => Periods.Of(r.First, CohortPeriod.Week));
        var cohorts = Enumerable.Range(first, rules.CohortWeeks)
            .Select(w => new CohortWeekReturn(Periods.Label(w, CohortPeriod.Week), byWeek[w].LongCount(), byWeek[w].LongCount(r => r.Returned == 1)))
            .ToList();

        var period = rules.RepeatPeriodDays * Day;
        var repeat = (await c.QueryAsync<(long Recent, long Buyers, long Repeat)>(new CommandDefinition(
            """
            SELECT recent, COUNT(*), COALESCE(SUM(CASE WHEN n > 1 THEN 1 ELSE 0 END), 0) FROM (
              SELECT CASE WHEN placed_at >= @mid THEN 1 ELSE 0 END AS recent, customer_id, COUNT(*) AS n
              FROM orders WHERE kind = 'sale' AND customer_id IS NOT NULL AND placed_at >= @start AND placed_at < @end
              GROUP BY CASE WHEN placed_at >= @mid THEN 1 ELSE 0 END, customer_id) x
            GROUP BY recent
            """,
            new { start = now - (2 * period), mid = now - period, end = now },
            cancellationToken: ct))).ToList();
        PeriodRepeat Of(long recent) => repeat.FirstOrDefault(r => r.Recent == recent) is { Buyers: > 0 } r ? new PeriodRepeat(r.Buyers, r.Repeat) : new PeriodRepeat(0, 0);
        return new HealthReport(rules, HealthAlarms.Evaluate(rules, cohorts, Of(1), Of(0)));
    }

    private static long Start(int week) => new DateTimeOffset(Periods.Start(week, CohortPeriod.Week).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
}
