namespace Rapport.Core.Conversations;

/// <summary>Where a conversation message was exchanged: the channels a thread can mix.</summary>
public static class ConversationChannels
{
    public const string Email = "email";
    public const string Chat = "chat";
    public const string Store = "store";
    public const string Phone = "phone";

    /// <summary>Text messages through the SMS provider's webhooks (inbound: /v1/webhooks/sms/inbound).</summary>
    public const string Sms = "sms";

    /// <summary>Push notifications: answers to one come back through /v1/webhooks/push/events (status "replied").</summary>
    public const string Push = "push";

    public static readonly IReadOnlyList<string> All = [Email, Chat, Sms, Push, Store, Phone];

    /// <summary>Channels the customer writes on and staff answer on (the default answer channel is the last of these the customer used).</summary>
    public static readonly IReadOnlyList<string> Answerable = [Chat, Email, Sms, Push];

    /// <summary>Channels staff record by hand (what was said in the shop or on the phone).</summary>
    public static readonly IReadOnlyList<string> Notes = [Store, Phone];
}

public static class Direction
{
    /// <summary>From the customer to us.</summary>
    public const string In = "in";

    /// <summary>From us to the customer.</summary>
    public const string Out = "out";
}

public static class ThreadStatus
{
    public const string Open = "open";
    public const string Closed = "closed";
}

/// <summary>A named person who serves customers.</summary>
public sealed record StaffMember(long Id, string Name, string? Email, DateTimeOffset CreatedAt, bool Disabled = false);

/// <summary>One conversation with a customer; its messages may come over several channels.</summary>
public sealed record ConversationThread(
    long Id, long CustomerId, string Channel, string? Subject, string Status, long? AssignedStaffId, string? AssignedStaffName,
    long Unread, string Token, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, DateTimeOffset? ClosedAt)
{
    /// <summary>Who the customer is to staff: their name or email, else "Customer #id" (filled by inbox reads).</summary>
    public string? CustomerName { get; init; }

    /// <summary>The newest message's first words (inbox reads).</summary>
    public string? Preview { get; init; }
}

/// <summary>
/// One message. <paramref name="AuthorKind"/> is "customer" or "staff"; a staff author has an id and name.
/// </summary>
public sealed record ConversationMessage(
    long Id, long ThreadId, string Direction, string Channel, string AuthorKind, long? StaffId, string? StaffName,
    string Body, DateTimeOffset At)
{
    /// <summary>Files that came with the message (metadata only; bytes through the download endpoint).</summary>
    public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];

    /// <summary>When the provider says the customer sent it (bounded by <see cref="ProviderTime"/>); null when it said nothing. <see cref="At"/> is our arrival time.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>Why the provider's time was not used (in the future, or over 7 days old), else null.</summary>
    public string? ReceivedAtNote { get; init; }
}

/// <summary>What a new message is: who wrote it, where, and the text.</summary>
/// <param name="Key">Idempotency key (an inbound email's Message-ID); the same key again returns the stored message.</param>
/// <param name="ThreadId">Append to this thread (a reply token or the inbox); null: the customer's newest open thread, or a new one.</param>
public sealed record NewMessage(
    string Direction, string Channel, string Body, long? StaffId = null, string? Subject = null, string? Key = null, long? ThreadId = null,
    string? EventName = null, IReadOnlyList<NewAttachment>? Attachments = null, DateTimeOffset? ProviderAt = null);

/// <summary>The message as stored, its thread, and whether this call stored it.</summary>
public sealed record AppendResult(ConversationMessage Message, ConversationThread Thread, bool Created);

/// <summary>Which threads the shared inbox lists.</summary>
/// <param name="Assigned">"unassigned", "me" (to <paramref name="StaffId"/>) or null for every open thread.</param>
public sealed record InboxFilter(string? Assigned = null, long? StaffId = null, string Status = ThreadStatus.Open, int Limit = 50, long? BeforeLastMessageAt = null);

public sealed class ConversationException(string title, string message, int status = 400) : Exception(message)
{
    public string Title { get; } = title;

    /// <summary>The HTTP status that fits: 400, or 413 (a file too large) and 415 (a file type not allowed).</summary>
    public int Status { get; } = status;
}
