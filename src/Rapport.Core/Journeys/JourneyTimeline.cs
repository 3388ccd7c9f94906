using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Journeys;

/// <summary>
/// Puts journey steps on customers' timelines in the caller's transaction: "Journey Entered",
/// "Journey Step" (step, type, outcome), "Journey Exited" (reason). Message ids are derived from
/// the enrolment and its move, so writing the same fact twice stores one event. Rows are
/// appended in bulk like segment membership events (they are Rapport's own facts; projections
/// do not need them).
/// </summary>
internal sealed class JourneyTimeline
{
    public const string Entered = "Journey Entered";
    public const string Step = "Journey Step";
    public const string Exited = "Journey Exited";

    /// <summary>Names the event feed must not react to (a journey cannot trigger itself through its own log).</summary>
    public static readonly IReadOnlySet<string> Own = new HashSet<string>(StringComparer.Ordinal) { Entered, Step, Exited };

    private static readonly string[] Columns =
    [
        "message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value",
        "anonymous_id", "user_id", "occurred_at", "received_at", "properties", "context",
    ];

    private static readonly string Context = new JsonObject { ["library"] = new JsonObject { ["name"] = "rapport-journeys" } }.ToJsonString();

    private readonly List<(string MessageId, long Customer, string Name, JsonObject Properties)> _events = [];

    public int Count => _events.Count;

    public void Add(string messageId, long customer, string name, JsonObject properties) => _events.Add((messageId, customer, name, properties));

    public async Task FlushAsync(UnitOfWork unit, CancellationToken ct)
    {
        if (_events.Count == 0)
        {
            return;
        }

        var now = unit.Now;
        var who = await Identity.StrongestIdentifiers.ForAsync(unit, _events.Select(e => e.Customer).Distinct().ToList());
        var rows = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var (messageId, customer, name, properties) in _events)
        {
            if (who.TryGetValue(customer, out var id))
            {
                rows[messageId] = [messageId, "track", name, Channels.Web, customer, id.Kind, id.Value, null, null, now, now, properties.ToJsonString(), Context];
            }
        }

        foreach (var existing in await unit.Connection.QueryAsync<string>(
                     $"SELECT message_id FROM events WHERE message_id IN {ValueList.Sql(unit.Dialect, "@ids")}",
                     new { ids = ValueList.Of(unit.Dialect, rows.Keys.ToList()) }, unit.Transaction))
        {
            rows.Remove(existing);
        }

        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "events", Columns, rows.Values, ct);
        _events.Clear();
    }
}
