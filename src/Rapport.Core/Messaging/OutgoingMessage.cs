namespace Rapport.Core.Messaging;

/// <summary>
/// A rendered message ready for the outbox. <paramref name="Key"/> is the caller's idempotency
/// key: enqueueing the same key twice stores one message (a journey step retried after a crash,
/// a double-clicked "send").
/// </summary>
public sealed record OutgoingMessage(
    string Key, long CustomerId, string Channel, string Purpose, string? Template,
    string Recipient, string Subject, string BodyText, string? BodyHtml);

/// <summary>A message claimed for sending; <see cref="Attempt"/> counts from 1.</summary>
public sealed record ClaimedMessage(
    long Id, string Key, long CustomerId, string Channel, string Purpose,
    string Recipient, string Subject, string BodyText, string? BodyHtml, int Attempt)
{
    /// <summary>Why the recipient's address is on the suppression list, read with the claim (null: it is not).</summary>
    public string? Suppressed { get; init; }
}

/// <summary>One outbox row as staff see it (GET /v1/outbox).</summary>
public sealed record OutboxEntry(
    long Id, string Key, long CustomerId, string Channel, string Purpose, string? Template, string Recipient,
    string Subject, string Status, int Attempts, DateTimeOffset NextAttemptAt, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

public static class OutboxStatus
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Dead = "dead";
    public const string Blocked = "blocked";

    public static readonly IReadOnlyList<string> All = [Pending, Sending, Sent, Dead, Blocked];
}

/// <summary>What a transport or the contact gate decided for one claimed message.</summary>
public abstract record DeliveryOutcome(long MessageId)
{
    /// <summary>The server accepted it (SMTP 250, webhook 2xx).</summary>
    public sealed record Sent(long MessageId) : DeliveryOutcome(MessageId);

    /// <summary>Worth another try later (4xx, timeout, server gone).</summary>
    public sealed record Transient(long MessageId, string Error) : DeliveryOutcome(MessageId);

    /// <summary>Will never succeed as is (5xx: unknown mailbox, refused): dead-lettered at once.</summary>
    public sealed record Permanent(long MessageId, string Error, bool SuppressRecipient) : DeliveryOutcome(MessageId);

    /// <summary>Not allowed now (quiet hours, weekly cap): try again at <paramref name="Until"/>.</summary>
    public sealed record Deferred(long MessageId, DateTimeOffset Until, string Reason) : DeliveryOutcome(MessageId);

    /// <summary>Not allowed at all (no consent, unsubscribed): never sent.</summary>
    public sealed record Blocked(long MessageId, string Reason) : DeliveryOutcome(MessageId);
}

/// <summary>A file an email carries as a MIME part.</summary>
public sealed record EmailPart(string FileName, string ContentType, byte[] Content);

/// <summary>
/// Files to attach to an email, read when it is sent (so the outbox row stays small and a resend
/// carries the same files). Conversations answer for their messages; other emails have none.
/// </summary>
public interface IEmailParts
{
    Task<IReadOnlyList<EmailPart>> ForAsync(ClaimedMessage message, CancellationToken ct);
}
