using Microsoft.AspNetCore.SignalR;
using Rapport.Core.Conversations;
using Rapport.Core.Keys;

namespace Rapport.Http.Chat;

/// <summary>
/// The staff side of the live chat, at /dashboard/chat/hub: signed in to the dashboard (its
/// cookie: a staff member is then who they signed in as) or holding an admin key and saying
/// who they are with staffId in the query (also the built-in admin's way). While
/// connected, a staff member is online: their customers' chats are routed to them.
/// </summary>
internal sealed class StaffChatHub(ApiKeys keys, StaffDirectory staff, ConversationService conversations, ChatPresence presence) : Hub
{
    public const string Path = "/dashboard/chat/hub";
    public const string Everyone = "staff";

    public static string Group(long staffId) => $"staff-{staffId}";

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext()!;
        var signedIn = http.User.Identity?.IsAuthenticated == true
            || (ChatAuth.KeyFrom(http) is { } key && await keys.VerifyAsync(key, Context.ConnectionAborted) == KeyKind.Admin);
        if (!signedIn)
        {
            throw new HubException("Sign in to the dashboard or send an admin key (access_token).");
        }

        // A signed-in staff member is who their session says, whatever the query claims; the
        // built-in admin and admin keys say whom they act as with staffId.
        var staffId = Dashboard.DashboardUser.StaffId(http.User) ?? (long.TryParse(http.Request.Query["staffId"], out var asked) ? asked : 0);
        var member = staffId <= 0 ? null : await staff.GetAsync(staffId, Context.ConnectionAborted);
        if (member is null)
        {
            throw new HubException("Say who you are with staffId=N in the query (GET /v1/staff lists the staff).");
        }

        if (member.Disabled)
        {
            throw new HubException($"{member.Name} is disabled: an admin can enable them again on the Staff page.");
        }

        Context.Items["staff"] = staffId;
        presence.Connected(staffId, Context.ConnectionId, Context.Abort);
        await Groups.AddToGroupAsync(Context.ConnectionId, Everyone, Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(staffId), Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue("staff", out var id) && id is long staffId)
        {
            presence.Disconnected(staffId, Context.ConnectionId);
        }

        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>A staff answer in the chat; stored before the visitor sees it. Returns the message id.</summary>
    public async Task<long> Reply(long threadId, string text)
    {
        try
        {
            // Disabled by another process (the CLI) while connected: refuse, do not speak for them.
            if (await staff.GetAsync((long)Context.Items["staff"]!, Context.ConnectionAborted) is not { Disabled: false })
            {
                throw new HubException("You have been disabled; an admin can enable you again on the Staff page.");
            }

            var stored = await conversations.AppendToThreadAsync(
                threadId, new NewMessage(Direction.Out, ConversationChannels.Chat, text, StaffId: (long)Context.Items["staff"]!), Context.ConnectionAborted);
            return stored?.Message.Id ?? throw new HubException($"There is no thread {threadId}.");
        }
        catch (ConversationException e)
        {
            throw new HubException(e.Message);
        }
    }
}
