using Rapport.Core.Conversations;

namespace Rapport.Http.Chat;

/// <summary>
/// Routing of a visitor's chat: a thread nobody has taken goes to the customer's account manager
/// when that manager is online; otherwise it stays in the shared inbox queue (unassigned), where
/// every online staff member sees it. Disabled members are skipped: a thread held by one goes
/// back to the manager or the queue.
/// </summary>
internal sealed class ChatRouter(StaffDirectory staff, ConversationService conversations, ChatPresence presence)
{
    public async Task<long?> RouteAsync(ConversationThread thread, CancellationToken ct)
    {
        var heldByDisabled = false;
        if (thread.AssignedStaffId is { } taken)
        {
            if (await staff.GetAsync(taken, ct) is not { Disabled: true })
            {
                return taken;
            }

            heldByDisabled = true;
        }

        if (await staff.ManagerOfAsync(thread.CustomerId, ct) is { Disabled: false } manager && presence.IsOnline(manager.Id))
        {
            await conversations.AssignThreadAsync(thread.Id, manager.Id, ct);
            return manager.Id;
        }

        if (heldByDisabled)
        {
            await conversations.AssignThreadAsync(thread.Id, null, ct);
        }

        return null;
    }
}
