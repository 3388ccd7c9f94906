using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Preferences;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Erasure;

/// <summary>
/// A customer, Ann, with personal data in every table that can hold it: identifiers of every
/// kind (two customers merged into one), traits and their history, events with context, an
/// order, a cart, a profiling answer, consent, a message in the outbox and a suppressed address,
/// a conversation with an attached file and account manager, tasks, a journey enrolment, notes on costs and points.
/// Rows the write path makes come through it; the rest are inserted as their features do.
/// </summary>
internal static class ErasureSeed
{
    /// <summary>Fragments of Ann's personal data, in whatever form a table might hold them.</summary>
    public static readonly string[] Personal = ["smith", "900123", "ann-42", "anon-ann", "998877", "privet", "rex the dog", "pushtok-ann"];

    public static async Task<long> AnnAsync(CoreHarness h)
    {
        // Two customers: one known by email and anonymous id, one by user id, phone and card, then joined.
        await h.SendAsync(Ev.Page("p1", 0, anon: "anon-ann-1"));
        await h.SendAsync(Ev.Identify("i1", 1, new JsonObject { ["email"] = "Ann.Smith@example.com", ["name"] = "Ann Smith", ["address"] = "4 Privet Drive" }, anon: "anon-ann-1"));
        await h.SendAsync(Ev.Identify("i2", 2, new JsonObject { ["phone"] = "+44 7700 900123", ["loyaltyCard"] = "LC-998877", ["first_name"] = "Ann", ["pushToken"] = "pushtok-ann-1" }, user: "ann-42"));
        await h.SendAsync(Ev.Identify("i3", 3, new JsonObject { ["email"] = "ann.smith@example.com" }, user: "ann-42"));
        var track = Ev.Track("t1", 4, "Order Completed", Ev.Order("o-1", ("sku-1", 20m, 2), ("sku-2", 5m, 1)), user: "ann-42") with
        {
            Context = new JsonObject { ["ip"] = "203.0.113.9", ["page"] = new JsonObject { ["url"] = "https://shop.example/?email=ann.smith@example.com" } },
        };
        var order = track.Payload;
        order["shipping_address"] = "4 Privet Drive";
        order["gift_message"] = "for Rex the dog";
        await h.SendAsync(track);
        await h.SendAsync(Ev.Track("t2", 5, "Product Added", Ev.Product("sku-3", 7m), user: "ann-42"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann-42");
        Assert.Equal(ann, await h.OwnerAsync(Identifier.Email, "ann.smith@example.com")); // merged

        var profiling = new ProfilingService(h.Writer, h.Events, new PreferenceOptions(), h.Clock);
        await profiling.NextAsync(ann, "web");
        Assert.Null((await profiling.AnswerAsync(ann, "values_most", ["quality"], "test", "web")).Error);

        await using var c = await h.Db.OpenAsync();
        var now = UnixTime.ToStorage(h.Clock.GetUtcNow());
        var p = new { ann, now, kind = Identifier.UserId, value = "ann-42", email = "ann.smith@example.com", file = System.Text.Encoding.UTF8.GetBytes("%PDF Ann Smith, 4 Privet Drive") };
        await c.ExecuteAsync(
            """
            INSERT INTO consent_ledger (id_kind, id_value, item, value, source, message_id, at, recorded_at) VALUES (@kind, @value, 'email', 'granted', 'signup form', 'c1', @now, @now);
            INSERT INTO contact_log (id_kind, id_value, channel, purpose, reference, at) VALUES (@kind, @value, 'email', 'marketing', 'outbox:1', @now);
            INSERT INTO outbox (message_key, customer_id, channel, purpose, template, recipient, subject, body_text, body_html, status, attempts, next_attempt_at, created_at)
              VALUES ('m1', @ann, 'email', 'marketing', 'welcome', @email, 'Hello Ann Smith', 'Dear Ann Smith, how is Rex the dog?', '<p>Dear Ann Smith</p>', 'pending', 0, @now, @now);
            INSERT INTO outbox (message_key, customer_id, channel, purpose, template, recipient, subject, body_text, status, attempts, next_attempt_at, created_at, sent_at)
              VALUES ('m0', @ann, 'email', 'service', NULL, @email, 'Your order, Ann Smith', 'Sent to 4 Privet Drive', 'sent', 1, @now, @now, @now);
            INSERT INTO email_suppressions (address, reason, source_message, created_at) VALUES (@email, 'unsubscribed', NULL, @now);
            INSERT INTO outbox (message_key, customer_id, channel, purpose, template, recipient, subject, body_text, status, attempts, next_attempt_at, created_at, sent_at)
              VALUES ('m2', @ann, 'sms', 'marketing', NULL, '+447700900123', '', 'Hi Ann', 'sent', 1, @now, @now, @now);
            INSERT INTO email_suppressions (address, reason, source_message, created_at) VALUES ('+447700900123', 'unsubscribed', (SELECT MAX(id) FROM outbox), @now);
            INSERT INTO email_suppressions (address, reason, source_message, created_at) VALUES ('pushtok-ann-1', 'bounced: token unknown to the provider', NULL, @now);
            INSERT INTO actions (name, kind, definition, created_at, updated_at) VALUES ('welcome offer', 'offer', '{}', @now, @now);
            INSERT INTO staff (name, email, created_at) VALUES ('Sam', 'sam@shop.example', @now);
            INSERT INTO customer_managers (id_kind, id_value, staff_id, assigned_at) VALUES (@kind, @value, (SELECT MIN(id) FROM staff), @now);
            INSERT INTO conversation_threads (id_kind, id_value, channel, subject, status, assigned_staff_id, unread, token, created_at, last_message_at)
              VALUES (@kind, @value, 'email', 'Ann Smith asks about Rex the dog', 'open', NULL, 1, 'thread-token-1', @now, @now);
            INSERT INTO conversation_messages (thread_id, direction, channel, author_kind, staff_id, body, message_key, at)
              VALUES ((SELECT MIN(id) FROM conversation_threads), 'in', 'email', 'customer', NULL, 'Hi, it is Ann Smith, my phone is 07700 900123', NULL, @now);
            INSERT INTO conversation_attachments (message_id, file_name, content_type, size, sha256, content, created_at)
              VALUES ((SELECT MIN(id) FROM conversation_messages), 'ann-smith-passport.pdf', 'application/pdf', 30, 'abc', @file, @now);
            INSERT INTO staff_tasks (customer_id, recorded_for, kind, title, assignee, gift_id, status, created_at) VALUES (@ann, @ann, 'gift', 'Call Ann Smith', 'Sam', NULL, 'open', @now);
            INSERT INTO journeys (name, status, version, created_at, updated_at) VALUES ('welcome', 'active', 1, @now, @now);
            INSERT INTO journey_tasks (task_key, journey_id, customer_id, title, assignee, status, due_at, created_at)
              VALUES ('jt1', (SELECT MIN(id) FROM journeys), @ann, 'Phone Ann Smith on 07700 900123', 'Sam', 'open', NULL, @now);
            INSERT INTO journey_enrolments (journey_id, version, customer_id, occurrence, control, status, step, moves, entered_at, updated_at)
              VALUES ((SELECT MIN(id) FROM journeys), 1, @ann, 'once', 0, 'active', 'wait', 1, @now, @now);
            INSERT INTO journey_timers (enrolment_id, due_at) VALUES ((SELECT MIN(id) FROM journey_enrolments), @now);
            INSERT INTO loyalty_operations (customer_id, recorded_for, kind, reference, points, balance_after, note, at) VALUES (@ann, @ann, 'adjust', 'r1', 10, 10, 'Ann Smith complained about Rex the dog', @now);
            INSERT INTO customer_costs (customer_id, recorded_for, kind, amount_e4, at, reference, note, created_at) VALUES (@ann, @ann, 'service', 50000, @now, 'call', 'Called Ann Smith', @now);
            """, p);
        await c.ExecuteAsync(
            """
            INSERT INTO decisions (action_id, customer_id, id_kind, id_value, channel, purpose, propensity, expected_value, score, reason, data, decided_at)
              VALUES ((SELECT MIN(id) FROM actions), @ann, @kind, @value, 'web', 'marketing', 0.5, 1, 0.5, 'likes quality', '{}', @now)
            """, p);
        return ann;
    }

    /// <summary>Every (table, column, value) in the store whose text (or bytes read as text) contains a fragment of Ann's personal data.</summary>
    public static async Task<List<string>> FindPersonalAsync(TestDatabase db)
    {
        await using var c = await db.OpenAsync();
        var tables = db.Kind == StoreKind.Sqlite
            ? await c.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
            : await c.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
        var found = new List<string>();
        foreach (var table in tables)
        {
            foreach (IDictionary<string, object?> row in await c.QueryAsync($"SELECT * FROM {table}"))
            {
                foreach (var (column, value) in row)
                {
                    // Binary columns (attachment bytes) are read as UTF-8 text: a file's text is personal data too.
                    var text = value as string ?? (value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null);
                    if (text is { } s && Personal.FirstOrDefault(f => s.Contains(f, StringComparison.OrdinalIgnoreCase)) is { } hit)
                    {
                        found.Add($"{table}.{column} holds '{hit}': {s}");
                    }
                }
            }
        }

        return found;
    }
}
