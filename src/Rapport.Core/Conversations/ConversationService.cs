using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Conversations;

/// <summary>Told about every stored message after its transaction commits (the live chat broadcasts from here).</summary>
public interface IConversationListener
{
    Task MessageStoredAsync(AppendResult stored, CancellationToken ct);
}

/// <summary>
/// Carries an outgoing message to the customer on its channel inside the message's transaction
/// (email: an outbox row), so a stored answer is always sent and never twice.
/// </summary>
public interface IConversationDelivery
{
    Task DeliverAsync(UnitOfWork unit, AppendResult stored);
}

/// <summary>
/// Writes conversations: every message is stored with its timeline event in one transaction
/// through the normal event path (<see cref="EventWriter"/>: identity resolution, projections,
/// segments see it), and listeners hear of it only after the commit, so nothing is shown live
/// that is not stored.
/// </summary>
public sealed class ConversationService(
    StoreWriter writer, EventWriter events, IdentityResolver identity, IEnumerable<IConversationListener> listeners, IEnumerable<IConversationDelivery> deliveries,
    AttachmentOptions? attachmentLimits = null)
{
    public const string EmailReplied = "Email Replied";
    public const string MessageReceived = "Conversation Message Received";
    public const string MessageSent = "Conversation Message Sent";
    public const string NoteAdded = "Conversation Note Added";
    public const int MaxBody = 20_000;

    private readonly IConversationListener[] _listeners = listeners.ToArray();
    private readonly IConversationDelivery[] _deliveries = deliveries.ToArray();
    private readonly AttachmentOptions _attachments = attachmentLimits ?? new AttachmentOptions();

    /// <summary>Appends to the customer's thread (the given one, else their newest open one, else a new one). Null when the customer does not exist.</summary>
    public async Task<AppendResult?> AppendAsync(long customerId, NewMessage m, CancellationToken ct = default)
    {
        m = Validate(m);
        var result = await writer.WriteAsync(unit => AppendAsync(unit, customerId, m), ct);
        await NotifyAsync(result, ct);
        return result;
    }

    /// <summary>Appends to a known thread (an email reply carrying its token, a staff answer); the thread's customer is the author or recipient. Null when there is no such thread.</summary>
    public async Task<AppendResult?> AppendToThreadAsync(long threadId, NewMessage m, CancellationToken ct = default)
    {
        m = Validate(m);
        var result = await writer.WriteAsync(async unit =>
            await ConversationQueries.ThreadAsync(unit.Connection, unit.Transaction, threadId) is { } thread
                ? await AppendAsync(unit, thread.CustomerId, m with { ThreadId = threadId })
                : null, ct);
        await NotifyAsync(result, ct);
        return result;
    }

    /// <summary>Appends for whoever owns <paramref name="who"/> (an email sender, a chat visitor), creating the customer if new.</summary>
    public async Task<AppendResult> AppendAsync(Identifier who, NewMessage m, CancellationToken ct = default)
    {
        m = Validate(m);
        var result = await writer.WriteAsync(async unit =>
        {
            var owners = await identity.EnsureAsync(unit, who.Kind, [who.Value], unit.Now);
            return (await AppendAsync(unit, owners[who.Value], m))!;
        }, ct);
        await NotifyAsync(result, ct);
        return result;
    }

    /// <summary>The customer's thread to continue (newest open), creating one if none is open; what a chat opens.</summary>
    public Task<ConversationThread> OpenThreadAsync(Identifier who, string channel, CancellationToken ct = default) =>
        writer.WriteAsync(async unit =>
        {
            var owners = await identity.EnsureAsync(unit, who.Kind, [who.Value], unit.Now);
            return await ThreadForAsync(unit, owners[who.Value], channel, null, null);
        }, ct);

    /// <summary>The thread of a known customer to continue (an answer to a message we sent them); null when the customer does not exist.</summary>
    public Task<ConversationThread?> OpenThreadAsync(long customerId, string channel, CancellationToken ct = default) =>
        writer.WriteAsync(async unit => await Rapport.Core.Consent.ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, customerId) is { } current
            ? await ThreadForAsync(unit, current, channel, null, null)
            : null, ct);

    public Task<bool> SetStatusAsync(long threadId, string status, CancellationToken ct = default) =>
        writer.WriteAsync(async unit => await unit.Connection.ExecuteAsync(
            "UPDATE conversation_threads SET status = @status, closed_at = @closedAt WHERE id = @threadId",
            new { threadId, status, closedAt = status == ThreadStatus.Closed ? unit.Now : (long?)null }, unit.Transaction) > 0, ct);

    /// <summary>Gives the thread to a staff member (null: back to the shared queue).</summary>
    public Task<bool> AssignThreadAsync(long threadId, long? staffId, CancellationToken ct = default) =>
        writer.WriteAsync(async unit => await unit.Connection.ExecuteAsync(
            "UPDATE conversation_threads SET assigned_staff_id = @staffId WHERE id = @threadId",
            new { threadId, staffId }, unit.Transaction) > 0, ct);

    /// <summary>Staff have seen the thread: its unread count goes to zero.</summary>
    public Task MarkReadAsync(long threadId, CancellationToken ct = default) =>
        writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            "UPDATE conversation_threads SET unread = 0 WHERE id = @threadId AND unread <> 0", new { threadId }, unit.Transaction), ct);

    /// <summary>Checks the message and its files (413/415 for files not kept); a message of files only gets their names as its text.</summary>
    private NewMessage Validate(NewMessage m)
    {
        var files = _attachments.Check(m.Attachments);
        if (string.IsNullOrWhiteSpace(m.Body) && files.Count > 0)
        {
            m = m with { Body = "(" + string.Join(", ", files.Select(f => f.FileName)) + ")" };
        }

        m = m with { Attachments = files };
        if (string.IsNullOrWhiteSpace(m.Body))
        {
            throw new ConversationException("Empty message", "The message has no text; send {\"body\": \"what was said\"}.");
        }

        if (m.Body.Length > MaxBody)
        {
            throw new ConversationException("Message too long", $"A message holds at most {MaxBody} characters; this one has {m.Body.Length}.");
        }

        if (!ConversationChannels.All.Contains(m.Channel))
        {
            throw new ConversationException("Unknown channel", $"channel must be one of {string.Join(", ", ConversationChannels.All)}; got '{m.Channel}'.");
        }

        if (m.Direction is not (Direction.In or Direction.Out))
        {
            throw new ConversationException("Unknown direction", $"direction must be 'in' (from the customer) or 'out' (to the customer); got '{m.Direction}'.");
        }

        return m;
    }

    private async Task<AppendResult?> AppendAsync(UnitOfWork unit, long customerId, NewMessage m)
    {
        var c = unit.Connection;
        if (m.Key is not null && await ConversationQueries.MessageAsync(c, unit.Transaction, "m.message_key = @key", new { key = m.Key }) is { } existing)
        {
            return new AppendResult(existing, (await ConversationQueries.ThreadAsync(c, unit.Transaction, existing.ThreadId))!, false);
        }

        var who = await StrongestIdentifiers.ForAsync(unit, [customerId]);
        if (!who.TryGetValue(customerId, out var primary))
        {
            return null;
        }

        var thread = await ThreadForAsync(unit, customerId, m.Channel, m.ThreadId, m.Subject);
        var author = m.StaffId is not null ? "staff" : m.Direction == Direction.In ? "customer" : "system";
        var (receivedAt, receivedNote) = ProviderTime.Bound(m.ProviderAt, UnixTime.FromStorage(unit.Now));
        var id = await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO conversation_messages (thread_id, direction, channel, author_kind, staff_id, body, message_key, at, received_at, received_at_note)
            VALUES (@threadId, @Direction, @Channel, @author, @StaffId, @Body, @Key, @now, @receivedAt, @receivedNote) RETURNING id
            """, new { threadId = thread.Id, m.Direction, m.Channel, author, m.StaffId, m.Body, m.Key, now = unit.Now,
                receivedAt = receivedAt is { } r ? UnixTime.ToStorage(r) : (long?)null, receivedNote }, unit.Transaction);
        if (m.Attachments is { Count: > 0 } files)
        {
            await AttachmentStore.InsertAsync(unit, id, files);
        }
        // Any message reopens a closed thread; the customer writing adds to the unread count, staff
        // answering clears it, and a staff member answering a thread from the shared queue takes it.
        await c.ExecuteAsync(
            """
            UPDATE conversation_threads SET last_message_at = @now, status = 'open', closed_at = NULL,
              unread = CASE WHEN @inbound = 1 THEN unread + 1 ELSE 0 END,
              subject = CASE WHEN subject IS NULL THEN @Subject ELSE subject END,
              assigned_staff_id = CASE WHEN assigned_staff_id IS NULL AND @inbound = 0 THEN @StaffId ELSE assigned_staff_id END
            WHERE id = @threadId
            """, new { now = unit.Now, inbound = m.Direction == Direction.In ? 1 : 0, m.Subject, m.StaffId, threadId = thread.Id }, unit.Transaction);
        var message = (await ConversationQueries.MessageAsync(c, unit.Transaction, "m.id = @id", new { id }))!;
        // Staff writing (a message sent, a note) is Rapport's own event; the customer's messages are collected ones.
        var timeline = TimelineEvent(message, primary, m, thread);
        await (timeline.Name is MessageSent or NoteAdded ? OwnEvents.WriteThroughIngestAsync(unit, events, [timeline]) : events.WriteAsync(unit, [timeline]));
        var stored = new AppendResult(message, (await ConversationQueries.ThreadAsync(c, unit.Transaction, thread.Id))!, true);
        if (message.Direction == Direction.Out)
        {
            foreach (var delivery in _deliveries)
            {
                await delivery.DeliverAsync(unit, stored);
            }
        }

        return stored;
    }

    private static async Task<ConversationThread> ThreadForAsync(UnitOfWork unit, long customerId, string channel, long? threadId, string? subject)
    {
        var c = unit.Connection;
        if (threadId is { } given)
        {
            var t = await ConversationQueries.ThreadAsync(c, unit.Transaction, given);
            return t is not null && t.CustomerId == customerId ? t
                : throw new ConversationException("Unknown thread", $"Thread {given} does not exist or belongs to another customer.");
        }

        var open = await c.QueryFirstOrDefaultAsync<long?>(
            """
            SELECT t.id FROM conversation_threads t JOIN identifiers i ON i.kind = t.id_kind AND i.value = t.id_value
            WHERE i.customer_id = @customerId AND t.status = 'open' ORDER BY t.last_message_at DESC, t.id DESC LIMIT 1
            """, new { customerId }, unit.Transaction);
        if (open is { } found)
        {
            return (await ConversationQueries.ThreadAsync(c, unit.Transaction, found))!;
        }

        var who = (await StrongestIdentifiers.ForAsync(unit, [customerId]))[customerId];
        var id = await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO conversation_threads (id_kind, id_value, channel, subject, status, assigned_staff_id, unread, token, created_at, last_message_at)
            VALUES (@Kind, @Value, @channel, @subject, 'open', NULL, 0, @token, @now, @now) RETURNING id
            """, new { who.Kind, who.Value, channel, subject, token = NewToken(), now = unit.Now }, unit.Transaction);
        return (await ConversationQueries.ThreadAsync(c, unit.Transaction, id))!;
    }

    /// <summary>12 random base32 characters (60 bits): unguessable enough to tie a reply to its thread.</summary>
    private static string NewToken()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        Span<byte> bytes = stackalloc byte[12];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[bytes[i] % alphabet.Length];
        }

        return new string(chars);
    }

    private static IncomingEvent TimelineEvent(ConversationMessage message, Identifier who, NewMessage m, ConversationThread thread)
    {
        var name = m.EventName ?? (m.Direction == Direction.In && m.Channel == ConversationChannels.Email ? EmailReplied
            : m.Direction == Direction.In ? MessageReceived : MessageSent);
        var properties = new JsonObject
        {
            ["thread_id"] = thread.Id,
            ["conversation_message_id"] = message.Id,
            ["direction"] = message.Direction,
            ["channel"] = message.Channel,
            ["author"] = message.AuthorKind,
            ["text"] = message.Body.Length > 500 ? message.Body[..497] + "…" : message.Body,
        };
        if (message.Attachments.Count > 0)
        {
            properties["attachments"] = new JsonArray(message.Attachments.Select(a => (JsonNode)new JsonObject
            {
                ["attachment_id"] = a.Id, ["file_name"] = a.FileName, ["content_type"] = a.ContentType, ["size"] = a.Size,
            }).ToArray());
        }

        if (message.ReceivedAt is { } sentAt)
        {
            properties["received_at"] = sentAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (message.StaffId is { } staff)
        {
            properties["staff_id"] = staff;
            properties["staff_name"] = message.StaffName;
        }

        if ((m.Subject ?? thread.Subject) is { } subject)
        {
            properties["subject"] = subject;
        }

        var trait = who.Kind switch
        {
            Identifier.Email => "email",
            Identifier.Phone => "phone",
            Identifier.LoyaltyCard => "loyaltyCard",
            Identifier.StoreCustomerNo => "storeCustomerNumber",
            _ => null,
        };
        return new IncomingEvent(
            $"rapport-conv-{message.Id}", "track", name, message.Channel,
            UserId: who.Kind == Identifier.UserId ? who.Value : null,
            AnonymousId: who.Kind == Identifier.AnonymousId ? who.Value : null,
            message.At, properties,
            Traits: trait is null ? null : new JsonObject { [trait] = who.Value },
            Context: new JsonObject { ["library"] = new JsonObject { ["name"] = "rapport-conversations" } });
    }

    private async Task NotifyAsync(AppendResult? result, CancellationToken ct)
    {
        if (result is not { Created: true })
        {
            return;
        }

        foreach (var listener in _listeners)
        {
            await listener.MessageStoredAsync(result, ct);
        }
    }
}
