using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Loyalty;

/// <summary>
/// Track events the loyalty feature writes on a customer's timeline (Tier Changed, Surprise
/// Given). They carry the customer's strongest identifier, as collected events do, so they follow
/// the customer through merges; a message id derived from the change stores each one once.
/// </summary>
internal static class TimelineEvents
{
    private static readonly string Context = new JsonObject { ["library"] = new JsonObject { ["name"] = "rapport-loyalty" } }.ToJsonString();

    public static async Task AppendAsync(UnitOfWork unit, long customerId, string name, string messageId, JsonObject properties)
    {
        var ids = (await unit.Connection.QueryAsync<(string Kind, string Value)>(
                "SELECT kind, value FROM identifiers WHERE customer_id = @customerId", new { customerId }, unit.Transaction))
            .Select(r => new Identifier(r.Kind, r.Value)).Order().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        await unit.Connection.ExecuteAsync(
            """
            INSERT INTO events (message_id, type, name, channel, customer_id, id_kind, id_value, anonymous_id, user_id, occurred_at, received_at, properties, context)
            VALUES (@messageId, 'track', @name, 'web', @customerId, @kind, @value, NULL, NULL, @now, @now, @properties, @context)
            ON CONFLICT (message_id) DO NOTHING
            """,
            new { messageId, name, customerId, kind = ids[0].Kind, value = ids[0].Value, now = unit.Now, properties = properties.ToJsonString(), context = Context },
            unit.Transaction);
    }
}
