using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Customers;

/// <summary>
/// Traits from identify calls (and the context.traits of any event). The current value is the
/// one with the latest event time, so late-arriving old events never overwrite newer answers;
/// the history keeps every value with its source (channel and event) and time. The context.traits
/// of other calls only add a value the history does not hold yet: some libraries (RudderStack)
/// copy the known traits into every event, and the history would otherwise grow by a row per
/// trait and event, all repeats.
/// </summary>
public sealed class TraitsProjection : IEventProjection
{
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        foreach (var s in events)
        {
            foreach (var (name, value) in TraitsOf(s.Event))
            {
                await WriteAsync(unit, s.CustomerId, name, value, SourceOf(s.Event), s.Event.MessageId, UnixTime.ToStorage(s.Event.OccurredAt), echo: s.Event.Type != "identify");
            }
        }
    }

    public async Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        foreach (var customer in customers)
        {
            var p = new { customer };
            await unit.Connection.ExecuteAsync("DELETE FROM traits WHERE customer_id = @customer", p, unit.Transaction);
            await unit.Connection.ExecuteAsync("DELETE FROM trait_history WHERE customer_id = @customer", p, unit.Transaction);
            await unit.Connection.ExecuteAsync("DELETE FROM customer_search WHERE customer_id = @customer", p, unit.Transaction);
            var rows = await unit.Connection.QueryAsync<(string Type, string Channel, string MessageId, long At, string Properties, string? Context)>(
                """
                SELECT type, channel, message_id, occurred_at, properties, context FROM events
                WHERE customer_id = @customer AND (type = 'identify' OR context LIKE '%"traits"%')
                ORDER BY occurred_at, message_id
                """,
                p,
                unit.Transaction);
            foreach (var r in rows)
            {
                var traits = r.Type == "identify"
                    ? JsonNode.Parse(r.Properties) as JsonObject
                    : (JsonNode.Parse(r.Context ?? "{}") as JsonObject)?["traits"] as JsonObject;
                foreach (var (name, value) in Flatten(traits))
                {
                    await WriteAsync(unit, customer, name, value, $"{r.Channel}:{r.Type}", r.MessageId, r.At, echo: r.Type != "identify");
                }
            }
        }
    }

    /// <param name="echo">From another call's context.traits: recorded in the history only when the value is new there.</param>
    private static async Task WriteAsync(UnitOfWork unit, long customer, string name, string value, string source, string messageId, long at, bool echo)
    {
        if (echo)
        {
            await unit.Statement(
                """
                INSERT INTO trait_history (customer_id, name, value, source, message_id, at)
                SELECT @customer, @name, @value, @source, @messageId, @at
                WHERE NOT EXISTS (SELECT 1 FROM trait_history WHERE customer_id = @customer AND name = @name AND value = @value)
                """,
                "@customer", "@name", "@value", "@source", "@messageId", "@at")
                .ExecuteAsync(customer, name, value, source, messageId, at);
        }
        else
        {
            await unit.Statement(
                "INSERT INTO trait_history (customer_id, name, value, source, message_id, at) VALUES (@customer, @name, @value, @source, @messageId, @at)",
                "@customer", "@name", "@value", "@source", "@messageId", "@at")
                .ExecuteAsync(customer, name, value, source, messageId, at);
        }

        await unit.Statement(
            """
            INSERT INTO traits (customer_id, name, value, source, at) VALUES (@customer, @name, @value, @source, @at)
            ON CONFLICT (customer_id, name) DO UPDATE SET value = excluded.value, source = excluded.source, at = excluded.at
            WHERE excluded.at >= traits.at
            """,
            "@customer", "@name", "@value", "@source", "@at")
            .ExecuteAsync(customer, name, value, source, at);
        if (CustomerSearch.Traits.Contains(name))
        {
            // From the stored current value: an older event arriving late leaves it (and the terms) as they were.
            await CustomerSearch.IndexAsync(unit, customer, name);
        }
    }

    private static string SourceOf(IncomingEvent e) => $"{e.Channel}:{e.Type}";

    private static IEnumerable<(string Name, string Value)> TraitsOf(IncomingEvent e) => Flatten(e.Traits);

    /// <summary>Top-level traits as text (objects and arrays as their JSON); nested address fields stay together.</summary>
    private static IEnumerable<(string Name, string Value)> Flatten(JsonObject? traits)
    {
        if (traits is null)
        {
            yield break;
        }

        foreach (var (name, node) in traits)
        {
            if (node is null)
            {
                continue;
            }

            var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();
            yield return (name, text);
        }
    }
}
