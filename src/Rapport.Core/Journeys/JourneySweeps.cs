using System.Globalization;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Journeys;

namespace Rapport.Core.Journeys;

/// <summary>
/// The triggers no event announces, checked once a day per journey: a yearly date in a trait
/// (birthday: occurrence = the year, so once a year) and a prediction below a threshold (P(alive)
/// falling: occurrence = the customer's last order, so a customer who buys again and lapses
/// again is enrolled again). The day swept is recorded in journey_cursors with the enrolments.
/// </summary>
public sealed class JourneySweeps(IDatabase database, StoreWriter writer, JourneyCatalog catalog, TimeProvider clock)
{
    private static readonly Dictionary<string, (string Column, bool Money)> Predictions = new(StringComparer.Ordinal)
    {
        ["prediction.p_alive"] = ("p_alive", false),
        ["prediction.expected_purchases"] = ("expected_purchases", false),
        ["prediction.clv_percentile"] = ("clv_percentile", false),
        ["prediction.clv"] = ("clv_e4", true),
        ["prediction.expected_spend"] = ("expected_spend_e4", true),
    };

    /// <returns>How many customers were enrolled.</returns>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var day = today.DayNumber;
        var enrolled = 0;
        foreach (var journey in await catalog.ActiveAsync(ct))
        {
            if (journey.Definition.Trigger is not (JourneyTrigger.Date or JourneyTrigger.Prediction))
            {
                continue;
            }

            var cursor = $"sweep:{journey.Id}";
            List<(long Customer, string Occurrence)> due;
            await using (var c = await database.OpenAsync(ct))
            {
                if (await c.ExecuteScalarAsync<long?>("SELECT position FROM journey_cursors WHERE name = @cursor", new { cursor }) >= day)
                {
                    continue;
                }

                due = journey.Definition.Trigger switch
                {
                    JourneyTrigger.Date d => await BirthdaysAsync(c, d, today),
                    JourneyTrigger.Prediction p => await BelowAsync(c, p),
                    _ => [],
                };
            }

            enrolled += await writer.WriteAsync(async unit =>
            {
                var timeline = new JourneyTimeline();
                var count = 0;
                foreach (var (customer, occurrence) in due)
                {
                    count += await JourneyEnrolments.EnrolAsync(unit, journey, customer, occurrence, timeline) is null ? 0 : 1;
                }

                await unit.Connection.ExecuteAsync(
                    "INSERT INTO journey_cursors (name, position) VALUES (@cursor, @day) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                    new { cursor, day = (long)day }, unit.Transaction);
                await timeline.FlushAsync(unit, ct);
                return count;
            }, ct);
        }

        return enrolled;
    }

    private static async Task<List<(long, string)>> BirthdaysAsync(System.Data.Common.DbConnection c, JourneyTrigger.Date trigger, DateOnly today)
    {
        var rows = await c.QueryAsync<(long Customer, string Value)>(
            "SELECT t.customer_id, t.value FROM traits t JOIN customers k ON k.id = t.customer_id AND k.merged_into IS NULL WHERE t.name = @trait",
            new { trait = trigger.Trait });
        var target = today.AddDays(trigger.DaysBefore);
        return rows
            .Where(r => JourneyWaits.YearlyDate(r.Value) is { } date && JourneyWaits.FallsOn(date, today, trigger.DaysBefore))
            .Select(r => (r.Customer, target.Year.ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }

    private static async Task<List<(long, string)>> BelowAsync(System.Data.Common.DbConnection c, JourneyTrigger.Prediction trigger)
    {
        if (!Predictions.TryGetValue(trigger.Field, out var column))
        {
            return [];
        }

        var below = column.Money ? (object)Money.ToStorage((decimal)trigger.Below) : trigger.Below;
        var rows = await c.QueryAsync<(long Customer, long? LastOrder)>(
            $"""
            SELECT p.customer_id, v.last_order_at FROM customer_predictions p
            JOIN customers k ON k.id = p.customer_id AND k.merged_into IS NULL
            LEFT JOIN customer_value v ON v.customer_id = p.customer_id
            WHERE p.model_id = (SELECT id FROM clv_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 1) AND p.{column.Column} < @below
            """,
            new { below });
        return rows.Select(r => (r.Customer, "last-order:" + (r.LastOrder ?? 0).ToString(CultureInfo.InvariantCulture))).ToList();
    }
}
