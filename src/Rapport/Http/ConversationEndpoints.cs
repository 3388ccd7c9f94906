using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Conversations;
using Rapport.Core.Customers;
using Rapport.Core.Keys;
using Rapport.Http.Chat;

namespace Rapport.Http;

/// <summary>Staff, account managers, threads, the shared inbox and inbound email (admin key); the chat hubs.</summary>
internal static class ConversationEndpoints
{
    public static void MapConversationEndpoints(this WebApplication app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Conversations");
        app.MapStaffEndpoints();
        g.MapGet("/customers/{id:long}/manager", GetManagerAsync).WithSummary("The customer's account manager");
        g.MapPut("/customers/{id:long}/manager", SetManagerAsync).WithSummary("Assign the customer's account manager: {\"staffId\": N}");
        g.MapDelete("/customers/{id:long}/manager", async (long id, StaffDirectory staff, CancellationToken ct) =>
            await staff.AssignAsync(id, null, ct) ? Results.NoContent() : NoCustomer(id)).WithSummary("Unassign the customer's account manager");
        g.MapGet("/customers/{id:long}/conversations", async (long id, ConversationQueries q, CustomerQueries customers, CancellationToken ct) =>
            await customers.GetAsync(id, ct) is null ? NoCustomer(id) : Results.Ok(await q.ForCustomerAsync(id, 50, ct)))
            .WithSummary("The customer's threads, newest first");
        g.MapPost("/customers/{id:long}/conversations/notes", AddNoteAsync).WithSummary("Record what was said in the store or on the phone");
        g.MapGet("/conversations", InboxAsync).WithSummary("The shared inbox: open threads newest first; assigned=unassigned|me (with staffId); status=closed");
        g.MapGet("/conversations/{threadId:long}", ThreadAsync).WithSummary("A thread and its messages");
        g.MapPost("/conversations/{threadId:long}/messages", ReplyAsync).WithSummary("A staff answer (chat: live to the visitor; email and sms: through the outbox)");
        g.MapPost("/conversations/{threadId:long}/close", (long threadId, ConversationService s, CancellationToken ct) => StatusAsync(threadId, ThreadStatus.Closed, s, ct));
        g.MapPost("/conversations/{threadId:long}/reopen", (long threadId, ConversationService s, CancellationToken ct) => StatusAsync(threadId, ThreadStatus.Open, s, ct));
        g.MapPost("/chat/tokens", IssueTokenAsync).WithSummary("A signed visitor token for a signed-in customer's chat (your backend calls this): {\"userId\": \"u42\", \"minutes\": 1440}");
        g.MapPost("/conversations/{threadId:long}/assign", AssignThreadAsync).WithSummary("Give the thread to a staff member ({\"staffId\": N}) or back to the queue ({\"staffId\": null})");
        // Admin key: the write key sits in web pages, and anyone holding it could fill the inbox.
        app.MapGroup("/v1/inbound").RequireKey(KeyKind.Admin).WithTags("Conversations")
            .MapPost("/email", InboundEmailEndpoint.ReceiveAsync).WithSummary("An email a customer sent: raw RFC 822 (message/rfc822) or JSON {from, to, subject, text, messageId}");
        // The SMS provider signs the body (HMAC, as our outbound webhooks): no API key.
        app.MapPost(InboundSmsEndpoint.Path, InboundSmsEndpoint.ReceiveAsync).WithTags("Conversations")
            .WithSummary("A text a customer sent: JSON {from, to, body, messageId, receivedAt}, header X-Rapport-Signature: t=UNIX,v1=HMAC");
        app.MapPost(ProviderEventsEndpoint.Path, ProviderEventsEndpoint.ReceiveAsync).WithTags("Conversations")
            .WithSummary("An SMS or push provider's report on a message we sent: JSON {id, key, status: delivered|undelivered|opened|clicked|replied, eventId, at, error, permanent, url, text}, header X-Rapport-Signature");
        app.MapAttachmentEndpoints();
        app.MapHub<VisitorChatHub>(VisitorChatHub.Path);
        app.MapHub<StaffChatHub>(StaffChatHub.Path);
        app.MapGet("/chat/signalr.min.js", () => Results.Text(Dashboard.DashboardAssets.SignalR.Value, "text/javascript")).ExcludeFromDescription();
        app.MapGet("/chat/widget.js", () => Results.Text(Dashboard.DashboardAssets.ChatWidget.Value, "text/javascript")).ExcludeFromDescription();
    }

    internal sealed record ManagerBody(long? StaffId);

    internal sealed record NoteBody(string? Channel, string? Body, long? StaffId, string? Direction);

    internal sealed record ReplyBody(string? Body, long? StaffId, string? Channel);

    internal sealed record TokenBody(string? UserId, int? Minutes);

    private static async Task<IResult> IssueTokenAsync(TokenBody body, VisitorTokens tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.UserId) || body.UserId.Length > 200)
        {
            return Problems.BadRequest("userId required", "Send the signed-in customer's userId (1 to 200 characters), as your site sends it to /v1/identify.");
        }

        var lifetime = body.Minutes is { } m ? TimeSpan.FromMinutes(m) : VisitorTokens.DefaultLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > VisitorTokens.MaxLifetime)
        {
            return Problems.BadRequest("Bad minutes", $"minutes is how long the token lasts: 1 to {VisitorTokens.MaxLifetime.TotalMinutes:0} (default {VisitorTokens.DefaultLifetime.TotalMinutes:0}).");
        }

        var (token, expiresAt) = await tokens.IssueAsync(body.UserId.Trim(), lifetime, ct);
        return Results.Ok(new { token, expiresAt });
    }

    private static async Task<IResult> GetManagerAsync(long id, StaffDirectory staff, CustomerQueries customers, CancellationToken ct) =>
        await customers.GetAsync(id, ct) is null ? NoCustomer(id)
        : Results.Ok(new { customerId = id, manager = await staff.ManagerOfAsync(id, ct) });

    private static async Task<IResult> SetManagerAsync(long id, ManagerBody body, StaffDirectory staff, CancellationToken ct) =>
        body.StaffId is null
            ? Problems.BadRequest("staffId required", "Send {\"staffId\": N} (GET /v1/staff lists them); DELETE unassigns.")
            : await Guard(async () => await staff.AssignAsync(id, body.StaffId, ct)
                ? Results.Ok(new { customerId = id, manager = await staff.GetAsync(body.StaffId.Value, ct) })
                : NoCustomer(id));

    private static async Task<IResult> AddNoteAsync(long id, NoteBody body, ConversationService conversations, StaffDirectory staff, CancellationToken ct)
    {
        if (body.Channel is null || !ConversationChannels.Notes.Contains(body.Channel))
        {
            return Problems.BadRequest("Bad channel", $"A note records a conversation in the store or on the phone: channel must be one of {string.Join(", ", ConversationChannels.Notes)}.");
        }

        if (body.StaffId is null || await staff.GetAsync(body.StaffId.Value, ct) is null)
        {
            return Problems.BadRequest("Who wrote it", "Send staffId, the staff member who had the conversation (GET /v1/staff lists them).");
        }

        return await Guard(async () =>
            await conversations.AppendAsync(id, new NewMessage(body.Direction ?? Direction.In, body.Channel, body.Body ?? "", body.StaffId, EventName: ConversationService.NoteAdded), ct) is { } stored
                ? TypedResults.Created($"/v1/conversations/{stored.Thread.Id}", stored)
                : NoCustomer(id));
    }

    private static async Task<IResult> InboxAsync(ConversationQueries q, CancellationToken ct, string? assigned, long? staffId, string? status, int? limit, long? before)
    {
        if (assigned is not (null or "unassigned" or "me"))
        {
            return Problems.BadRequest("Bad assigned", "assigned is 'unassigned', 'me' (with staffId) or left out for every thread.");
        }

        if (assigned == "me" && staffId is null)
        {
            return Problems.BadRequest("staffId required", "assigned=me needs staffId=N: whose threads to list.");
        }

        if (status is not (null or ThreadStatus.Open or ThreadStatus.Closed))
        {
            return Problems.BadRequest("Bad status", "status is 'open' (the default) or 'closed'.");
        }

        return Results.Ok(await q.InboxAsync(new InboxFilter(assigned, staffId, status ?? ThreadStatus.Open, limit ?? 50, before), ct));
    }

    private static async Task<IResult> ThreadAsync(long threadId, ConversationQueries q, CancellationToken ct) =>
        await q.ThreadAsync(threadId, ct) is { } thread
            ? Results.Ok(new { thread, messages = await q.MessagesAsync(threadId, 200, ct) })
            : NoThread(threadId);

    private static async Task<IResult> ReplyAsync(long threadId, ReplyBody body, ConversationService conversations, ConversationQueries q, StaffDirectory staff, CancellationToken ct)
    {
        if (body.StaffId is null || await staff.GetAsync(body.StaffId.Value, ct) is not { } member)
        {
            return Problems.BadRequest("Who answers", "Send staffId, the staff member answering (GET /v1/staff lists them).");
        }

        if (member.Disabled)
        {
            return Problems.BadRequest("Staff member disabled", $"{member.Name} is disabled and cannot answer; answer as someone else, or enable them (PATCH /v1/staff/{member.Id}).");
        }

        if (await q.ThreadAsync(threadId, ct) is null)
        {
            return NoThread(threadId);
        }

        var channel = body.Channel ?? await ReplyChannelAsync(q, threadId, ct);
        return await Guard(async () =>
        {
            var stored = await conversations.AppendToThreadAsync(threadId, new NewMessage(Direction.Out, channel, body.Body ?? "", body.StaffId), ct);
            return stored is null ? NoThread(threadId) : TypedResults.Created($"/v1/conversations/{threadId}", stored);
        });
    }

    /// <summary>Answer where the customer last wrote (a chat in chat, an email by email, a text by SMS); store and phone notes do not count.</summary>
    public static async Task<string> ReplyChannelAsync(ConversationQueries q, long threadId, CancellationToken ct) =>
        (await q.MessagesAsync(threadId, 200, ct)).LastOrDefault(m => m.Direction == Direction.In && ConversationChannels.Answerable.Contains(m.Channel))?.Channel
        ?? ConversationChannels.Chat;

    private static async Task<IResult> StatusAsync(long threadId, string status, ConversationService conversations, CancellationToken ct) =>
        await conversations.SetStatusAsync(threadId, status, ct) ? Results.Ok(new { threadId, status }) : NoThread(threadId);

    private static async Task<IResult> AssignThreadAsync(long threadId, ManagerBody body, ConversationService conversations, StaffDirectory staff, CancellationToken ct)
    {
        if (body.StaffId is { } s && await staff.GetAsync(s, ct) is not { Disabled: false })
        {
            return Problems.BadRequest("Unknown or disabled staff member", $"There is no enabled staff member {s}; GET /v1/staff lists them and who is disabled.");
        }

        return await conversations.AssignThreadAsync(threadId, body.StaffId, ct) ? Results.Ok(new { threadId, assignedStaffId = body.StaffId }) : NoThread(threadId);
    }

    /// <summary>A ConversationException says what the caller sent wrong: 400 with its words.</summary>
    internal static async Task<IResult> Guard(Func<Task<IResult>> work)
    {
        try
        {
            return await work();
        }
        catch (ConversationException e)
        {
            return Problems.Make(e.Status, e.Title, e.Message);
        }
    }

    private static ProblemHttpResult NoCustomer(long id) => Problems.NotFound($"There is no customer {id}; find one with GET /v1/customers/lookup or /v1/customers/search.");

    private static ProblemHttpResult NoThread(long id) => Problems.NotFound($"There is no conversation thread {id}; GET /v1/conversations lists the open ones.");
}
