using Rapport.Core.Conversations;

namespace Rapport.Http.Chat;

/// <summary>
/// Routing of a visitor's chat: a thread nobody has taken goes to the customer's account manager
/// when that manager is online; otherwise it stays in the shared inbox queue (unassigned), where
/// every online staff member sees it.
/// </summary>
internal sealed class ChatRouter(StaffDirectory staff, ConversationService conversations, ChatPresence presence)
{
    public async Task<long?> RouteAsync(ConversationThread thread, CancellationToken ct)
    {
        if (thread.AssignedStaffId is { } taken)
        {
            return taken;
        }

        if (await staff.ManagerOfAsync(thread.CustomerId, ct) is { } manager && presence.IsOnline(manager.Id))
        {
            await conversations.AssignThreadAsync(thread.Id, manager.Id, ct);
            return manager.Id;
        }

        return null;
    }
}
