using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Messaging;

/// <summary>
/// The durable outbox every send goes through. Enqueueing happens in the caller's transaction
/// (so a journey step and its message commit together); sending claims due rows with a lease,
/// and the dispatcher records each outcome. A process that dies mid-send leaves rows in
/// 'sending' whose lease runs out, so they are sent again: nothing is lost. A row marked 'sent'
/// is never claimed again, and the SMTP Message-ID is derived from the row, so the one window
/// left (the server's 250 arrived, the commit did not) repeats the same Message-ID, which mail
/// systems treat as one message. See docs/messaging.md.
/// </summary>
public sealed class Outbox(StoreWriter writer, IDatabase database, TimeProvider clock, OutboxEvents events, IEnumerable<IOutboxCompletion>? completions = null)
{
    private const string Columns =
        "id, message_key, customer_id, channel, purpose, template, recipient, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at";

    /// <summary>Signalled whenever something is enqueued, so the dispatcher wakes at once.</summary>
    public event Action? Enqueued;

    /// <summary>Wakes the dispatcher after messages were enqueued in someone else's transaction (a journey's advance), once it committed.</summary>
    public void Notify() => Enqueued?.Invoke();

    /// <returns>The message's id and whether this call stored it (false: the key was already there).</returns>
    public async Task<(long Id, bool Created)> EnqueueAsync(UnitOfWork unit, OutgoingMessage m)
    {
        // A prepared statement: a journey batch enqueues thousands of messages in one transaction.
        var id = await unit.Statement(
                """
                INSERT INTO outbox (message_key, customer_id, channel, purpose, template, recipient, subject, body_text, body_html,
                                    status, attempts, next_attempt_at, created_at)
                VALUES (@key, @customer, @channel, @purpose, @template, @recipient, @subject, @text, @html, 'pending', 0, @now, @now)
                ON CONFLICT (message_key) DO NOTHING RETURNING id
                """,
                "@key", "@customer", "@channel", "@purpose", "@template", "@recipient", "@subject", "@text", "@html", "@now")
            .ScalarAsync(m.Key, m.CustomerId, m.Channel, m.Purpose, m.Template, m.Recipient, m.Subject, m.BodyText, m.BodyHtml, unit.Now);
        if (id is not null and not DBNull)
        {
            return (Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture), true);
        }

        var existing = await unit.Statement("SELECT id FROM outbox WHERE message_key = @key", "@key").ScalarAsync(m.Key);
        return (Convert.ToInt64(existing, System.Globalization.CultureInfo.InvariantCulture), false);
    }

    /// <summary>Enqueues in a transaction of its own and wakes the dispatcher.</summary>
    public async Task<(long Id, bool Created)> EnqueueAsync(OutgoingMessage m, CancellationToken ct = default)
    {
        var result = await writer.WriteAsync(unit => EnqueueAsync(unit, m), ct);
        Enqueued?.Invoke();
        return result;
    }

    /// <summary>Claims up to <paramref name="limit"/> due messages of a channel for <paramref name="lease"/>.</summary>
    public Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(string channel, int limit, TimeSpan lease, CancellationToken ct = default) =>
        writer.WriteAsync<IReadOnlyList<ClaimedMessage>>(async unit =>
        {
            var rows = (await unit.Connection.QueryAsync<ClaimRow>(
                """
                SELECT o.id, o.message_key AS Key, o.customer_id AS CustomerId, o.channel, o.purpose, o.recipient, o.subject,
                       o.body_text AS BodyText, o.body_html AS BodyHtml, o.attempts, s.reason AS Suppressed
                FROM outbox o LEFT JOIN email_suppressions s ON s.address = lower(o.recipient)
                WHERE o.status IN ('pending', 'sending') AND o.next_attempt_at <= @now AND o.channel = @channel
                ORDER BY o.next_attempt_at, o.id
                LIMIT @limit
                """,
                new { now = unit.Now, channel, limit },
                unit.Transaction)).ToList();
            if (rows.Count == 0)
            {
                return [];
            }

            await unit.Connection.ExecuteAsync(
                $"UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = @until WHERE id IN {ValueList.Sql(unit.Dialect, "@ids")}",
                new { until = unit.Now + (long)lease.TotalMilliseconds, ids = ValueList.Of(unit.Dialect, rows.Select(r => r.Id).ToList()) },
                unit.Transaction);
            return rows.Select(r => new ClaimedMessage(
                r.Id, r.Key, r.CustomerId, r.Channel, r.Purpose, r.Recipient, r.Subject, r.BodyText, r.BodyHtml, (int)r.Attempts + 1) { Suppressed = r.Suppressed }).ToList();
        }, ct);

    /// <summary>Records what happened to claimed messages, and the timeline events that follow, in one transaction.</summary>
    public Task CompleteAsync(IReadOnlyList<(ClaimedMessage Message, DeliveryOutcome Outcome)> outcomes, RetryPolicy retry, CancellationToken ct = default) =>
        writer.WriteAsync(async unit =>
        {
            var now = unit.Now;
            foreach (var (m, outcome) in outcomes)
            {
                var (status, next, error, sentAt) = outcome switch
                {
                    DeliveryOutcome.Sent => (OutboxStatus.Sent, now, (string?)null, (long?)now),
                    DeliveryOutcome.Transient t when m.Attempt >= retry.MaxAttempts =>
                        (OutboxStatus.Dead, now, $"gave up after {m.Attempt} attempts; last: {t.Error}", null),
                    DeliveryOutcome.Transient t => (OutboxStatus.Pending, now + (long)retry.Delay(m.Attempt).TotalMilliseconds, t.Error, null),
                    DeliveryOutcome.Permanent p => (OutboxStatus.Dead, now, p.Error, null),
                    // A deferral is not a failed attempt: give the attempt back.
                    DeliveryOutcome.Deferred d => (OutboxStatus.Pending, UnixTime.ToStorage(d.Until), d.Reason, null),
                    DeliveryOutcome.Blocked b => (OutboxStatus.Blocked, now, b.Reason, null),
                    _ => throw new InvalidOperationException($"Unknown outcome {outcome}"),
                };
                var refund = outcome is DeliveryOutcome.Deferred ? 1 : 0;
                await unit.Statement(
                        "UPDATE outbox SET status = @status, next_attempt_at = @next, last_error = @error, sent_at = @sentAt, attempts = attempts - @refund WHERE id = @id",
                        "@status", "@next", "@error", "@sentAt", "@refund", "@id")
                    .ExecuteAsync(status, next, error, sentAt, refund, m.Id);
                if (outcome is DeliveryOutcome.Permanent { SuppressRecipient: true } bounce)
                {
                    await SuppressAsync(unit, m.Recipient, "bounced: " + bounce.Error, m.Id);
                }
            }

            await events.WriteAsync(unit, outcomes, now, retry);
            foreach (var completion in completions ?? [])
            {
                await completion.OnCompletedAsync(unit, outcomes);
            }

            return 0;
        }, ct);

    /// <summary>Adds an address to the suppression list (unsubscribe, hard bounce; also a phone number or push token a provider reports undeliverable for good); the first reason is kept.</summary>
    public static Task SuppressAsync(UnitOfWork unit, string address, string reason, long? sourceMessage) =>
        unit.Connection.ExecuteAsync(
            "INSERT INTO email_suppressions (address, reason, source_message, created_at) VALUES (@address, @reason, @sourceMessage, @now) ON CONFLICT (address) DO NOTHING",
            new { address = address.Trim().ToLowerInvariant(), reason, sourceMessage, now = unit.Now },
            unit.Transaction);

    public async Task<string?> SuppressionReasonAsync(string address, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>(
            "SELECT reason FROM email_suppressions WHERE address = @a", new { a = address.Trim().ToLowerInvariant() });
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(string? status, long? customer, int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<EntryRow>(
            $"""
            SELECT {Columns} FROM outbox
            WHERE (@status IS NULL OR status = @status) AND (@customer IS NULL OR customer_id = @customer)
            ORDER BY id DESC LIMIT @limit
            """,
            new { status, customer, limit });
        return rows.Select(r => r.ToEntry()).ToList();
    }

    public async Task<OutboxEntry?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<EntryRow>($"SELECT {Columns} FROM outbox WHERE id = @id", new { id });
        return row?.ToEntry();
    }

    public async Task<OutboxEntry?> GetByKeyAsync(string key, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<EntryRow>($"SELECT {Columns} FROM outbox WHERE message_key = @key", new { key });
        return row?.ToEntry();
    }

    /// <summary>Puts a dead-lettered message back in the queue (staff fixed the cause). False if it is not dead.</summary>
    public async Task<bool> RetryAsync(long id, CancellationToken ct = default)
    {
        var changed = await writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = @now, last_error = NULL WHERE id = @id AND status = 'dead'",
            new { id, now = UnixTime.ToStorage(clock.GetUtcNow()) }, unit.Transaction), ct);
        if (changed > 0)
        {
            Enqueued?.Invoke();
        }

        return changed > 0;
    }

    /// <summary>The earliest time a message of <paramref name="channel"/> is due, if any: how long the dispatcher may sleep.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(string channel, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return UnixTime.FromStorage(await c.ExecuteScalarAsync<long?>(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status IN ('pending', 'sending') AND channel = @channel", new { channel }));
    }

    private sealed record ClaimRow(
        long Id, string Key, long CustomerId, string Channel, string Purpose, string Recipient, string Subject, string BodyText, string? BodyHtml, long Attempts, string? Suppressed);

    private sealed record EntryRow(
        long Id, string Message_Key, long Customer_Id, string Channel, string Purpose, string? Template, string Recipient, string Subject,
        string Status, long Attempts, long Next_Attempt_At, string? Last_Error, long Created_At, long? Sent_At)
    {
        public OutboxEntry ToEntry() => new(
            Id, Message_Key, Customer_Id, Channel, Purpose, Template, Recipient, Subject, Status, (int)Attempts,
            UnixTime.FromStorage(Next_Attempt_At), Last_Error, UnixTime.FromStorage(Created_At), UnixTime.FromStorage(Sent_At));
    }
}

/// <summary>Exponential back-off: 30 s, 1 min, 2 min, … capped at 1 hour; dead after <see cref="MaxAttempts"/>.</summary>
public sealed record RetryPolicy(int MaxAttempts = 8, double FirstDelaySeconds = 30, double MaxDelaySeconds = 3600)
{
    public TimeSpan Delay(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxDelaySeconds, FirstDelaySeconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}
