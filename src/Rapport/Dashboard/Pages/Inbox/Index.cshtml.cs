using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Conversations;
using Rapport.Core.Customers;
using Rapport.Dashboard.Panels;
using Rapport.Http;

namespace Rapport.Dashboard.Pages.Inbox;

/// <summary>
/// The shared inbox: open threads newest first (all, unassigned, mine) with unread counts; one
/// thread with its messages, a reply box and the customer's context beside it (identities,
/// value, recent timeline and the profile panels: consent, needs, next best actions...).
/// A signed-in staff member is "me" (their answers, "Mine", chat routing while the page is open);
/// the built-in admin, who is nobody in particular, says whom it works as ("Working as", a cookie).
/// </summary>
public sealed class IndexModel(
    ConversationQueries queries, ConversationService conversations, StaffDirectory staff, CustomerQueries customers, IEnumerable<IProfilePanel> panels,
    AttachmentStore attachments, AttachmentOptions attachmentLimits) : PageModel
{
    public const string StaffCookie = "rapport_staff";

    public IReadOnlyList<StaffMember> Staff { get; private set; } = [];

    public StaffMember? Me { get; private set; }

    /// <summary>Signed in as a staff member (not the built-in admin): "me" is fixed, no "Working as".</summary>
    public bool SignedInAsStaff => User.StaffId() is not null;

    public string View { get; private set; } = "all";

    public IReadOnlyList<ConversationThread> Threads { get; private set; } = [];

    public ConversationThread? Thread { get; private set; }

    public IReadOnlyList<ConversationMessage> Messages { get; private set; } = [];

    public string ReplyChannel { get; private set; } = ConversationChannels.Chat;

    public CustomerProfile? Customer { get; private set; }

    public TimelinePage Timeline { get; private set; } = new([], null);

    public List<ProfilePanel> Panels { get; } = [];

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? view, long? thread, CancellationToken ct)
    {
        await LoadAsync(view, thread, ct);
        if (thread is not null && Thread is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }

    /// <summary>A file from a message, for staff signed in to the dashboard: always a download, never shown inline.</summary>
    public async Task<IActionResult> OnGetAttachmentAsync(long id, CancellationToken ct)
    {
        if (await attachments.GetAsync(id, ct) is not { } a)
        {
            return NotFound($"There is no attachment {id} (it may have been erased with its customer).");
        }

        AttachmentEndpoints.DownloadHeaders(Response);
        return File(a.Content, a.Info.ContentType, a.Info.FileName);
    }

    public async Task<IActionResult> OnPostReplyAsync(long thread, string? body, string? channel, CancellationToken ct)
    {
        Me = await CurrentAsync(ct);
        if (Me is null)
        {
            return await ShowErrorAsync(thread, "Choose who you are (Working as) before answering.", ct);
        }

        try
        {
            var files = Request.HasFormContentType ? await AttachmentEndpoints.ReadFilesAsync(Request.Form.Files, attachmentLimits, ct) : [];
            await conversations.AppendToThreadAsync(thread, new NewMessage(Direction.Out, channel ?? ConversationChannels.Chat, body ?? "", Me.Id, Attachments: files), ct);
        }
        catch (ConversationException e)
        {
            return await ShowErrorAsync(thread, e.Message, ct);
        }

        return Redirect($"/dashboard/inbox?thread={thread}");
    }

    public async Task<IActionResult> OnPostStatusAsync(long thread, string status, CancellationToken ct)
    {
        await conversations.SetStatusAsync(thread, status == ThreadStatus.Closed ? ThreadStatus.Closed : ThreadStatus.Open, ct);
        return Redirect($"/dashboard/inbox?thread={thread}");
    }

    public async Task<IActionResult> OnPostTakeAsync(long thread, CancellationToken ct)
    {
        if (await CurrentAsync(ct) is { } me)
        {
            await conversations.AssignThreadAsync(thread, me.Id, ct);
        }

        return Redirect($"/dashboard/inbox?thread={thread}");
    }

    public async Task<IActionResult> OnPostWorkAsAsync(long staffId, CancellationToken ct)
    {
        if (!SignedInAsStaff && await staff.GetAsync(staffId, ct) is not null)
        {
            Response.Cookies.Append(StaffCookie, staffId.ToString(CultureInfo.InvariantCulture), new CookieOptions { Path = DashboardServices.Root, HttpOnly = false, SameSite = SameSiteMode.Strict });
        }

        return Redirect("/dashboard/inbox");
    }

    public async Task<IActionResult> OnPostAddStaffAsync(string? name, string? email, CancellationToken ct)
    {
        if (!User.IsAdmin())
        {
            return Forbid(); // admins manage staff
        }

        try
        {
            var added = await staff.AddAsync(name ?? "", email, ct);
            return await OnPostWorkAsAsync(added.Id, ct);
        }
        catch (ConversationException e)
        {
            return await ShowErrorAsync(null, e.Message, ct);
        }
    }

    private async Task<IActionResult> ShowErrorAsync(long? thread, string error, CancellationToken ct)
    {
        Error = error;
        await LoadAsync(null, thread, ct);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task<StaffMember?> CurrentAsync(CancellationToken ct) =>
        User.StaffId() is { } signedIn ? await staff.GetAsync(signedIn, ct)
        : long.TryParse(Request.Cookies[StaffCookie], out var id) ? await staff.GetAsync(id, ct) : null;

    private async Task LoadAsync(string? view, long? thread, CancellationToken ct)
    {
        Staff = await staff.ListAsync(ct);
        Me ??= await CurrentAsync(ct);
        View = view is "unassigned" or "mine" ? view : "all";
        var filter = View switch
        {
            "unassigned" => new InboxFilter("unassigned"),
            "mine" when Me is not null => new InboxFilter("me", Me.Id),
            _ => new InboxFilter(),
        };
        Threads = await queries.InboxAsync(filter, ct);
        if (thread is null || await queries.ThreadAsync(thread.Value, ct) is not { } t)
        {
            return;
        }

        await conversations.MarkReadAsync(t.Id, ct);
        Thread = t with { Unread = 0 };
        Messages = await queries.MessagesAsync(t.Id, 200, ct);
        ReplyChannel = await ConversationEndpoints.ReplyChannelAsync(queries, t.Id, ct);
        Customer = await customers.GetAsync(t.CustomerId, ct);
        Timeline = await customers.TimelineAsync(t.CustomerId, 10, null, null, null, null, ct);
        foreach (var panel in panels.OrderBy(p => p.Order))
        {
            if (await panel.RenderAsync(t.CustomerId, ct) is { } rendered)
            {
                Panels.Add(rendered);
            }
        }
    }
}
