using Microsoft.AspNetCore.SignalR;
using Rapport.Core.Conversations;
using Rapport.Core.Keys;
using Rapport.Engine.Identity;

namespace Rapport.Http.Chat;

/// <summary>
/// The visitor's side of the live chat, at /chat/hub. The site's write key (as with the collect
/// API: "Authorization: Bearer KEY", or access_token=KEY as browsers send it over WebSockets)
/// and, in the query, the visitor's anonymousId or a signed visitor token for a signed-in customer. Connecting opens (or continues) the
/// customer's thread and routes it; every message is stored (thread + timeline) before it is
/// broadcast.
/// </summary>
internal sealed class VisitorChatHub(ApiKeys keys, VisitorTokens tokens, ConversationService conversations, ConversationQueries queries, ChatRouter router, ChatFileLinks links) : Hub
{
    public const string Path = "/chat/hub";

    public static string Group(long threadId) => $"thread-{threadId}";

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext()!;
        var key = ChatAuth.KeyFrom(http);
        if (key is null || await keys.VerifyAsync(key, Context.ConnectionAborted) is null)
        {
            // The reason goes to the client in the close message; nothing is stored.
            throw new HubException(key is null ? "Send the site's write key (access_token)." : "Unknown API key.");
        }

        var who = await VisitorAsync(http);
        if (who is null)
        {
            throw new HubException(
                "Say who the visitor is: anonymousId=ID for a visitor, or token=T for a signed-in customer (a visitor token from POST /v1/chat/tokens, "
                + "made by your backend with the admin key; a bare userId is refused because the write key is public).");
        }

        var thread = await conversations.OpenThreadAsync(who.Value, ConversationChannels.Chat, Context.ConnectionAborted);
        await router.RouteAsync(thread, Context.ConnectionAborted);
        Context.Items["thread"] = thread.Id;
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(thread.Id), Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }

    /// <summary>The visitor writes; returns the stored message's id.</summary>
    public async Task<long> Send(string text)
    {
        var threadId = (long)Context.Items["thread"]!;
        if (await queries.ThreadAsync(threadId, Context.ConnectionAborted) is { } thread)
        {
            await router.RouteAsync(thread, Context.ConnectionAborted);
        }

        try
        {
            var stored = await conversations.AppendToThreadAsync(threadId, new NewMessage(Direction.In, ConversationChannels.Chat, text), Context.ConnectionAborted);
            return stored!.Message.Id;
        }
        catch (ConversationException e)
        {
            throw new HubException(e.Message);
        }
    }

    /// <summary>The thread so far, oldest first (chat messages only: staff notes stay internal), files with fresh download links.</summary>
    public async Task<IReadOnlyList<ChatMessage>> History()
    {
        var threadId = (long)Context.Items["thread"]!;
        var thread = (await queries.ThreadAsync(threadId, Context.ConnectionAborted))!;
        var history = new List<ChatMessage>();
        foreach (var m in (await queries.MessagesAsync(threadId, 200, Context.ConnectionAborted)).Where(m => m.Channel == ConversationChannels.Chat))
        {
            history.Add(new ChatMessage(m.Id, threadId, thread.CustomerId, m.Direction, m.Channel, m.AuthorKind, m.StaffName, m.Body, m.At, thread.AssignedStaffId)
            {
                Attachments = m.Attachments,
                Files = await links.ForAsync(threadId, m.Attachments, Context.ConnectionAborted),
            });
        }

        return history;
    }

    /// <summary>A signed-in customer by their visitor token (never a bare userId), else the anonymous id.</summary>
    private async Task<Identifier?> VisitorAsync(HttpContext http)
    {
        var token = http.Request.Query["token"].FirstOrDefault();
        var anon = http.Request.Query["anonymousId"].FirstOrDefault();
        Identifier? id = null;
        if (!string.IsNullOrWhiteSpace(token))
        {
            if (await tokens.VerifyAsync(token, Context.ConnectionAborted) is { } user)
            {
                id = Identifier.Normalize(Identifier.UserId, user);
            }
        }
        else if (!string.IsNullOrWhiteSpace(anon))
        {
            id = Identifier.Normalize(Identifier.AnonymousId, anon);
        }

        return id is { Value.Length: > 0 and <= 200 } ? id : null;
    }
}

internal static class ChatAuth
{
    /// <summary>The key from "Authorization: Bearer KEY" (the .NET client) or access_token (browsers over WebSockets).</summary>
    public static string? KeyFrom(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() is { Length: > 0 } bearer)
        {
            return bearer;
        }

        return http.Request.Query["access_token"].FirstOrDefault() is { Length: > 0 } token ? token : null;
    }
}
