using Microsoft.AspNetCore.SignalR;
using Rapport.Core.Conversations;

namespace Rapport.Http.Chat;

/// <summary>What a chat client receives for each stored message ("message").</summary>
internal sealed record ChatMessage(
    long Id, long ThreadId, long CustomerId, string Direction, string Channel, string Author, string? StaffName, string Body, DateTimeOffset At, long? AssignedStaffId)
{
    /// <summary>Files sent with the message (names and sizes; staff download them from the inbox).</summary>
    public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];

    /// <summary>For the visitor only: the same files with signed, expiring download links (<see cref="ChatFileLinks"/>).</summary>
    public IReadOnlyList<ChatFile> Files { get; init; } = [];

    /// <summary>Who the customer is to staff (their name, email or phone), so the inbox can list a new thread live.</summary>
    public string? CustomerName { get; init; }
}

/// <summary>
/// Broadcasts every stored message after its commit: chat messages to the visitor's thread
/// group, every message to the thread's assigned staff member, or to all staff while it waits
/// in the shared queue.
/// </summary>
internal sealed class ChatBroadcaster(IHubContext<VisitorChatHub> visitors, IHubContext<StaffChatHub> staff, ChatFileLinks links) : IConversationListener
{
    public async Task MessageStoredAsync(AppendResult stored, CancellationToken ct)
    {
        var m = stored.Message;
        var t = stored.Thread;
        var message = new ChatMessage(m.Id, t.Id, t.CustomerId, m.Direction, m.Channel, m.AuthorKind, m.StaffName, m.Body, m.At, t.AssignedStaffId)
        {
            Attachments = m.Attachments,
            CustomerName = t.CustomerName,
        };
        if (m.Channel == ConversationChannels.Chat)
        {
            var forVisitor = message with { Files = await links.ForAsync(t.Id, m.Attachments, ct) };
            await visitors.Clients.Group(VisitorChatHub.Group(t.Id)).SendAsync("message", forVisitor, ct);
        }

        var audience = t.AssignedStaffId is { } s ? staff.Clients.Group(StaffChatHub.Group(s)) : staff.Clients.Group(StaffChatHub.Everyone);
        await audience.SendAsync("message", message, ct);
    }
}
