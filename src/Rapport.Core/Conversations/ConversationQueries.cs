using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>
/// Reads of threads and messages: the shared inbox (newest first, keyset-paged by the last
/// message time), a customer's threads, a thread's messages. The thread's customer is whoever
/// owns the identifier it was filed under now.
/// </summary>
public sealed class ConversationQueries(IDatabase database)
{
    public const int MaxPage = 200;

    internal const string ThreadColumns = """
        t.id AS Id, i.customer_id AS CustomerId, t.channel AS Channel, t.subject AS Subject, t.status AS Status,
        t.assigned_staff_id AS AssignedStaffId, s.name AS AssignedStaffName, t.unread AS Unread, t.token AS Token,
        t.created_at AS CreatedAt, t.last_message_at AS LastMessageAt, t.closed_at AS ClosedAt,
        (SELECT tr.value FROM traits tr WHERE tr.customer_id = i.customer_id AND tr.name = 'name') AS CustomerName,
        (SELECT tr.value FROM traits tr WHERE tr.customer_id = i.customer_id AND tr.name = 'email') AS CustomerEmail,
        (SELECT ip.value FROM identifiers ip WHERE ip.customer_id = i.customer_id AND ip.kind = 'phone' ORDER BY ip.value LIMIT 1) AS CustomerPhone,
        (SELECT m.body FROM conversation_messages m WHERE m.thread_id = t.id ORDER BY m.id DESC LIMIT 1) AS Preview
        FROM conversation_threads t
        JOIN identifiers i ON i.kind = t.id_kind AND i.value = t.id_value
        LEFT JOIN staff s ON s.id = t.assigned_staff_id
        """;

    private const string MessageColumns = """
        m.id AS Id, m.thread_id AS ThreadId, m.direction AS Direction, m.channel AS Channel, m.author_kind AS AuthorKind,
        m.staff_id AS StaffId, s.name AS StaffName, m.body AS Body, m.at AS At, m.received_at AS ReceivedAt, m.received_at_note AS ReceivedAtNote
        FROM conversation_messages m LEFT JOIN staff s ON s.id = m.staff_id
        """;

    /// <summary>Open (or closed) threads, newest message first; "unassigned" or "me" narrows them.</summary>
    public async Task<IReadOnlyList<ConversationThread>> InboxAsync(InboxFilter filter, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<ThreadRow>(
            $"""
            SELECT {ThreadColumns}
            WHERE t.status = @Status
              AND (@assigned = 0 OR (@assigned = 1 AND t.assigned_staff_id IS NULL) OR (@assigned = 2 AND t.assigned_staff_id = @StaffId))
              AND (@BeforeLastMessageAt IS NULL OR t.last_message_at < @BeforeLastMessageAt)
            ORDER BY t.last_message_at DESC, t.id DESC
            LIMIT @take
            """,
            new
            {
                filter.Status,
                assigned = filter.Assigned switch { "unassigned" => 1, "me" => 2, _ => 0 },
                filter.StaffId,
                filter.BeforeLastMessageAt,
                take = Math.Clamp(filter.Limit, 1, MaxPage),
            });
        return rows.Select(r => r.ToThread()).ToList();
    }

    public async Task<ConversationThread?> ThreadAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await ThreadAsync(c, null, id);
    }

    /// <summary>Whether the thread is the customer's whom this identifier (a chat visitor's anonymous id or user id) belongs to now.</summary>
    public async Task<bool> BelongsToAsync(long threadId, Rapport.Engine.Identity.Identifier who, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT COUNT(*) FROM conversation_threads t
            JOIN identifiers i ON i.kind = t.id_kind AND i.value = t.id_value
            JOIN identifiers v ON v.customer_id = i.customer_id
            WHERE t.id = @threadId AND v.kind = @Kind AND v.value = @Value
            """, new { threadId, who.Kind, who.Value }, cancellationToken: ct)) > 0;
    }

    internal static async Task<ConversationThread?> ThreadAsync(DbConnection c, DbTransaction? tx, long id) =>
        (await c.QuerySingleOrDefaultAsync<ThreadRow>($"SELECT {ThreadColumns} WHERE t.id = @id", new { id }, tx))?.ToThread();

    public async Task<ConversationThread?> ThreadByTokenAsync(string token, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<ThreadRow>($"SELECT {ThreadColumns} WHERE t.token = @token", new { token }))?.ToThread();
    }

    /// <summary>Every thread of the customer, newest first.</summary>
    public async Task<IReadOnlyList<ConversationThread>> ForCustomerAsync(long customerId, int limit = 50, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<ThreadRow>(
            $"SELECT {ThreadColumns} WHERE i.customer_id = @customerId ORDER BY t.last_message_at DESC, t.id DESC LIMIT @take",
            new { customerId, take = Math.Clamp(limit, 1, MaxPage) })).Select(r => r.ToThread()).ToList();
    }

    /// <summary>The thread's messages, oldest first (the newest <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<ConversationMessage>> MessagesAsync(long threadId, int limit = 200, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<MessageRow>(
            $"SELECT {MessageColumns} WHERE m.thread_id = @threadId ORDER BY m.id DESC LIMIT @take",
            new { threadId, take = Math.Clamp(limit, 1, 1000) });
        var files = await AttachmentStore.ForMessagesAsync(c, null, "m.thread_id = @threadId", new { threadId });
        return rows.Select(r => r.ToMessage() with { Attachments = files[r.Id].ToList() }).Reverse().ToList();
    }

    /// <summary>The message stored before under this idempotency key (a provider's retried webhook) with its thread, as a not-created append; null when there is none.</summary>
    internal static async Task<AppendResult?> StoredByKeyAsync(IDatabase database, string key, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await MessageAsync(c, null, "m.message_key = @key", new { key }) is { } m
            ? new AppendResult(m, (await ThreadAsync(c, null, m.ThreadId))!, false)
            : null;
    }

    internal static async Task<ConversationMessage?> MessageAsync(DbConnection c, DbTransaction? tx, string where, object args)
    {
        var message = (await c.QuerySingleOrDefaultAsync<MessageRow>($"SELECT {MessageColumns} WHERE {where}", args, tx))?.ToMessage();
        return message is null ? null
            : message with { Attachments = (await AttachmentStore.ForMessagesAsync(c, tx, "m.id = @id", new { id = message.Id }))[message.Id].ToList() };
    }

    internal sealed record ThreadRow(
        long Id, long CustomerId, string Channel, string? Subject, string Status, long? AssignedStaffId, string? AssignedStaffName,
        long Unread, string Token, long CreatedAt, long LastMessageAt, long? ClosedAt, string? CustomerName, string? CustomerEmail, string? CustomerPhone, string? Preview)
    {
        public ConversationThread ToThread() => new(
            Id, CustomerId, Channel, Subject, Status, AssignedStaffId, AssignedStaffName, Unread, Token,
            UnixTime.FromStorage(CreatedAt), UnixTime.FromStorage(LastMessageAt), UnixTime.FromStorage(ClosedAt))
        {
            CustomerName = CustomerName ?? CustomerEmail ?? CustomerPhone ?? $"Customer #{CustomerId}",
            Preview = Preview is null ? null : Preview.Length > 120 ? Preview[..117] + "…" : Preview,
        };
    }

    internal sealed record MessageRow(
        long Id, long ThreadId, string Direction, string Channel, string AuthorKind, long? StaffId, string? StaffName, string Body, long At,
        long? ReceivedAt, string? ReceivedAtNote)
    {
        public ConversationMessage ToMessage() => new(Id, ThreadId, Direction, Channel, AuthorKind, StaffId, StaffName, Body, UnixTime.FromStorage(At))
        {
            ReceivedAt = ReceivedAt is { } r ? UnixTime.FromStorage(r) : null,
            ReceivedAtNote = ReceivedAtNote,
        };
    }
}
