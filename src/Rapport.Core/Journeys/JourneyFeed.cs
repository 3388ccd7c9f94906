using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Journeys;

namespace Rapport.Core.Journeys;

/// <summary>
/// Reacts to stored events after the ingest commit: a queue read from the events table by a
/// cursor (events.id; the single writer commits in id order), kept in journey_cursors and moved
/// in the same transaction as the enrolments and exits it causes, so a crash re-reads at most
/// what was not yet acted on and acting twice is harmless (enrolments are unique per
/// occurrence). Events are handled in the order they were stored: an order that arrives before
/// the reminder is due ends the enrolment first. The ingest path itself pays nothing.
/// </summary>
public sealed class JourneyFeed(IDatabase database, StoreWriter writer, JourneyCatalog catalog)
{
    public const int Batch = 5_000;
    private const string Cursor = "events";
    private const string SegmentEntered = "Segment Entered";

    /// <returns>How many events were acted on.</returns>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        var total = 0;
        while (true)
        {
            var (acted, more) = await RunBatchAsync(ct);
            total += acted;
            if (!more)
            {
                return total;
            }
        }
    }

    private async Task<(int Acted, bool More)> RunBatchAsync(CancellationToken ct)
    {
        var journeys = await catalog.ActiveAsync(ct);
        // Goals end enrolments of paused journeys too: a customer who bought during the pause must not get the reminder after it.
        var withGoals = (await catalog.CurrentAsync(ct)).Values
            .Where(j => j.Current && j.Status != JourneyStatus.Draft && j.Definition.GoalEvents.Count > 0).ToList();
        var names = journeys.SelectMany(j => j.Definition.EventNames)
            .Concat(withGoals.SelectMany(j => j.Definition.GoalEvents))
            .Concat(journeys.Any(j => j.Definition.Trigger is JourneyTrigger.Segment) ? [SegmentEntered] : [])
            .Where(n => !JourneyTimeline.Own.Contains(n))
            .Distinct(StringComparer.Ordinal).ToList();
        long? position;
        long head;
        List<Row> rows = [];
        await using (var c = await database.OpenAsync(ct))
        {
            position = await c.ExecuteScalarAsync<long?>("SELECT position FROM journey_cursors WHERE name = @Cursor", new { Cursor });
            head = await c.ExecuteScalarAsync<long?>("SELECT MAX(id) FROM events") ?? 0;
            if (position is { } from && head > from && names.Count > 0)
            {
                rows = (await c.QueryAsync<Row>(
                    $"""
                    SELECT e.id, e.message_id AS MessageId, e.name, i.customer_id AS CustomerId, e.properties
                    FROM events e JOIN identifiers i ON i.kind = e.id_kind AND i.value = e.id_value
                    WHERE e.id > @from AND e.id <= @head AND e.name IN {ValueList.Sql(database.Dialect, "@names")}
                    ORDER BY e.id LIMIT @Batch
                    """,
                    new { from, head, names = ValueList.Of(database.Dialect, names), Batch })).ToList();
            }
        }

        // The first run starts at the head: journeys react to what happens from now on, not to history.
        var more = rows.Count == Batch;
        var next = more ? rows[^1].Id : head;
        if (position == next)
        {
            return (0, false);
        }

        var acted = await writer.WriteAsync(async unit =>
        {
            var timeline = new JourneyTimeline();
            var count = 0;
            foreach (var row in rows)
            {
                var goals = withGoals.Where(j => j.Definition.GoalEvents.Contains(row.Name, StringComparer.Ordinal)).ToList();
                if (goals.Count > 0)
                {
                    count += await JourneyEnrolments.ConvertAsync(unit, goals, row.CustomerId, row.Name, timeline);
                }

                foreach (var journey in journeys.Where(j => Triggers(j.Definition.Trigger, row)))
                {
                    count += await JourneyEnrolments.EnrolAsync(unit, journey, row.CustomerId, row.MessageId, timeline) is null ? 0 : 1;
                }
            }

            await unit.Connection.ExecuteAsync(
                "INSERT INTO journey_cursors (name, position) VALUES (@Cursor, @next) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                new { Cursor, next }, unit.Transaction);
            await timeline.FlushAsync(unit, ct);
            return count;
        }, ct);
        return (acted, more);
    }

    private static bool Triggers(JourneyTrigger trigger, Row row) => trigger switch
    {
        JourneyTrigger.Event e => e.Name == row.Name && (e.Where.Count == 0 || Matches(e.Where, row.Properties)),
        JourneyTrigger.Segment s => row.Name == SegmentEntered && SegmentMatches(s.IdOrName, row.Properties),
        _ => false,
    };

    private static bool Matches(IReadOnlyDictionary<string, string> where, string properties)
    {
        var p = JsonNode.Parse(properties) as JsonObject;
        return where.All(w => p?[w.Key] is JsonValue v && v.ToString() == w.Value);
    }

    private static bool SegmentMatches(string idOrName, string properties)
    {
        var p = JsonNode.Parse(properties) as JsonObject;
        return p?["segment_name"]?.ToString() == idOrName || p?["segment_id"]?.ToString() == idOrName;
    }

    private sealed record Row(long Id, string MessageId, string Name, long CustomerId, string Properties);
}
