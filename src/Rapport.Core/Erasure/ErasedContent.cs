using Dapper;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Engine.Erasure;
using Rapport.Engine.Identity;

namespace Rapport.Core.Erasure;

/// <summary>
/// Removes what an erased customer said, was called or was sent, once their identifiers are
/// tokens (<see cref="ErasedIdentifiers"/>): event properties and context (commerce facts stay),
/// traits and their history, message bodies and addresses, conversation content and attachments, stated needs,
/// free-text notes. What stays, and why, is in docs/erasure.md.
/// </summary>
internal static class ErasedContent
{
    /// <summary>What an erased message's address, subject and body become.</summary>
    public const string Erased = "(erased)";

    public static async Task ScrubAsync(UnitOfWork unit, IReadOnlyCollection<long> customers, Dictionary<Identifier, string> tokens, long requestId, ErasureCounts counts)
    {
        var c = unit.Connection;
        var tx = unit.Transaction;
        var ids = ValueList.Of(unit.Dialect, customers);
        var inCustomers = $"customer_id IN {ValueList.Sql(unit.Dialect, "@ids")}";
        var now = unit.Now;

        await ScrubEventsAsync(unit, inCustomers, ids, tokens, counts);
        counts.Add("traits", await c.ExecuteAsync($"DELETE FROM traits WHERE {inCustomers}", new { ids }, tx));
        counts.Add("trait_history", await c.ExecuteAsync($"DELETE FROM trait_history WHERE {inCustomers}", new { ids }, tx));

        // Stated and derived needs (what they value, their interests) are profiling: gone. The
        // numbers recomputed from the orders that stay come back with the next refresh.
        foreach (var table in new[] { "customer_needs", "customer_affinity", "customer_channels", "customer_cadence" })
        {
            counts.Add(table, await c.ExecuteAsync($"DELETE FROM {table} WHERE {inCustomers}", new { ids }, tx));
        }

        // Messages: the row stays (sends still count in delivery statistics), its address and
        // content go; anything not yet sent never will be.
        counts.Add("outbox", await c.ExecuteAsync(
            $"""
            UPDATE outbox SET recipient = @erased, subject = @erased, body_text = @erased, body_html = NULL, last_error = @reason,
              status = CASE WHEN status IN (@pending, @sending) THEN @blocked ELSE status END
            WHERE {inCustomers}
            """,
            new { ids, erased = Erased, reason = $"customer erased (request {requestId})", pending = OutboxStatus.Pending, sending = OutboxStatus.Sending, blocked = OutboxStatus.Blocked },
            tx));

        foreach (var (id, token) in tokens)
        {
            var p = new { kind = id.Kind, token, now, erased = Erased };
            const string Threads = "SELECT id FROM conversation_threads WHERE id_kind = @kind AND id_value = @token";
            // Files the customer or staff sent in their conversations: nothing of them is kept.
            counts.Add("conversation_attachments", await c.ExecuteAsync(
                $"DELETE FROM conversation_attachments WHERE message_id IN (SELECT id FROM conversation_messages WHERE thread_id IN ({Threads}))", p, tx));
            counts.Add("conversation_messages", await c.ExecuteAsync($"UPDATE conversation_messages SET body = @erased WHERE thread_id IN ({Threads})", p, tx));
            foreach (var thread in (await c.QueryAsync<long>(Threads, p, tx)).ToList())
            {
                // A new token: the old one was in reply addresses and chat sessions.
                counts.Add("conversation_threads", await c.ExecuteAsync(
                    "UPDATE conversation_threads SET subject = NULL, token = @fresh, status = 'closed', unread = 0, closed_at = COALESCE(closed_at, @now) WHERE id = @thread",
                    new { thread, fresh = ErasedIdentifiers.NewToken(), now }, tx));
            }

            counts.Add("customer_managers", await c.ExecuteAsync("DELETE FROM customer_managers WHERE id_kind = @kind AND id_value = @token", p, tx));
            counts.Add("profiling_asks", await c.ExecuteAsync("DELETE FROM profiling_asks WHERE id_kind = @kind AND id_value = @token", p, tx));
            counts.Add("contact_log", await c.ExecuteAsync("DELETE FROM contact_log WHERE id_kind = @kind AND id_value = @token", p, tx));
        }

        // Staff work about the customer: titles may name them; open work has nobody to serve.
        counts.Add("staff_tasks", await c.ExecuteAsync(
            $"UPDATE staff_tasks SET title = @erased, status = CASE WHEN status = 'open' THEN 'done' ELSE status END, done_at = COALESCE(done_at, @now) WHERE {inCustomers}",
            new { ids, erased = Erased, now }, tx));
        counts.Add("journey_tasks", await c.ExecuteAsync(
            $"UPDATE journey_tasks SET title = @erased, note = NULL, status = CASE WHEN status = 'open' THEN 'done' ELSE status END WHERE {inCustomers}",
            new { ids, erased = Erased }, tx));
        counts.Add("journey_timers", await c.ExecuteAsync(
            $"DELETE FROM journey_timers WHERE enrolment_id IN (SELECT id FROM journey_enrolments WHERE {inCustomers} AND status = 'active')", new { ids }, tx));
        counts.Add("journey_enrolments", await c.ExecuteAsync(
            $"UPDATE journey_enrolments SET status = 'completed', exit_reason = 'erased', ended_at = @now, updated_at = @now WHERE {inCustomers} AND status = 'active'",
            new { ids, now }, tx));
        counts.Add("loyalty_operations", await c.ExecuteAsync($"UPDATE loyalty_operations SET note = NULL WHERE {inCustomers} AND note IS NOT NULL", new { ids }, tx));
        counts.Add("customer_costs", await c.ExecuteAsync($"UPDATE customer_costs SET note = NULL WHERE {inCustomers} AND note IS NOT NULL", new { ids }, tx));
    }

    /// <summary>Properties keep only commerce facts, context goes, the raw user and anonymous ids become their tokens.</summary>
    private static async Task ScrubEventsAsync(UnitOfWork unit, string inCustomers, object ids, Dictionary<Identifier, string> tokens, ErasureCounts counts)
    {
        var rows = (await unit.Connection.QueryAsync<(long Id, string Type, string Properties, string? AnonymousId, string? UserId)>(
            $"SELECT id, type, properties, anonymous_id, user_id FROM events WHERE {inCustomers}", new { ids }, unit.Transaction)).ToList();
        var changes = rows.Select(r => new
        {
            r.Id,
            Properties = EventScrubber.Scrub(r.Type, r.Properties),
            AnonymousId = Token(tokens, Identifier.AnonymousId, r.AnonymousId),
            UserId = Token(tokens, Identifier.UserId, r.UserId),
        }).ToList();
        await unit.Connection.ExecuteAsync(
            "UPDATE events SET properties = @Properties, context = NULL, anonymous_id = @AnonymousId, user_id = @UserId WHERE id = @Id", changes, unit.Transaction);
        counts.Add("events", changes.Count);
    }

    // An id on the customer's event that is not theirs any more (an undone merge) still names a person: it becomes a token too.
    private static string? Token(Dictionary<Identifier, string> tokens, string kind, string? raw) =>
        raw is null ? null : tokens.GetValueOrDefault(Identifier.Normalize(kind, raw)) ?? ErasedIdentifiers.NewToken();
}
