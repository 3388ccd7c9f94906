using Microsoft.Net.Http.Headers;
using Rapport.Core.Conversations;
using Rapport.Core.Keys;
using Rapport.Engine.Identity;
using Rapport.Http.Chat;

namespace Rapport.Http;

/// <summary>
/// Files in conversations: staff send one on a thread (admin key), a chat visitor sends one
/// (the site's write key and the visitor's anonymous id or visitor token, as the chat hub), and
/// staff download any (admin key; the dashboard inbox has its own cookie-authenticated link), and
/// a chat visitor downloads the files of their own chat through a signed, expiring link.
/// Downloads are always attachments with nosniff and a sandbox CSP, never shown inline.
/// </summary>
internal static class AttachmentEndpoints
{
    public static void MapAttachmentEndpoints(this WebApplication app)
    {
        var admin = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Conversations");
        admin.MapPost("/conversations/{threadId:long}/attachments", StaffSendAsync).DisableAntiforgery()
            .WithSummary("Staff send files on a thread: multipart/form-data with file(s), staffId, optional body and channel");
        admin.MapGet("/attachments/{id:long}", DownloadAsync).WithSummary("Download a file sent in a conversation (always as an attachment)");
        app.MapGet(ChatFileLinks.Path + "/{id:long}", VisitorDownloadAsync).WithTags("Conversations")
            .WithSummary("A chat visitor downloads a file of their chat: the signed link from the chat (exp, sig) plus their anonymousId or token");
        app.MapPost("/chat/attachments", VisitorSendAsync).DisableAntiforgery().WithTags("Conversations")
            .WithSummary("A chat visitor sends a file: write key (Bearer or basic), anonymousId or token, multipart file(s) and optional text");
    }

    /// <summary>Serves a stored file so a browser saves it and never renders it (a customer's file must not run in the dashboard's origin).</summary>
    public static IResult File(HttpResponse response, StoredAttachment a)
    {
        DownloadHeaders(response);
        return Results.File(a.Content, a.Info.ContentType, a.Info.FileName);
    }

    /// <summary>No sniffing a type, no running anything even if opened, no caching of a customer's file.</summary>
    public static void DownloadHeaders(HttpResponse response)
    {
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        response.Headers.CacheControl = "private, no-store";
    }

    /// <summary>The files of a multipart form, checked against the limits before their bytes are read.</summary>
    public static async Task<IReadOnlyList<NewAttachment>> ReadFilesAsync(IFormFileCollection form, AttachmentOptions limits, CancellationToken ct)
    {
        var files = new List<NewAttachment>();
        foreach (var f in form)
        {
            if (f.Length > limits.MaxBytes)
            {
                throw new ConversationException("File too large", $"'{AttachmentOptions.SafeName(f.FileName)}' has {f.Length:N0} bytes; a file may have at most {limits.MaxBytes:N0} ({limits.MaxBytes / 1024 / 1024} MB). Send a smaller file or a link.", 413);
            }

            await using var s = f.OpenReadStream();
            using var bytes = new MemoryStream();
            await s.CopyToAsync(bytes, ct);
            files.Add(new NewAttachment(f.FileName, f.ContentType, bytes.ToArray()));
        }

        return limits.Check(files);
    }

    private static async Task<IResult> DownloadAsync(long id, AttachmentStore store, HttpResponse response, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } a ? File(response, a)
        : Problems.NotFound($"There is no attachment {id}; GET /v1/conversations/THREAD lists each message's attachments.");

    private static async Task<IResult> StaffSendAsync(
        long threadId, HttpRequest request, ConversationService conversations, ConversationQueries q, StaffDirectory staff, AttachmentOptions limits, CancellationToken ct)
    {
        var (form, problem) = await FormAsync(request, limits, ct);
        if (form is null)
        {
            return problem!;
        }

        if (!long.TryParse(form["staffId"], out var staffId) || await staff.GetAsync(staffId, ct) is null)
        {
            return Problems.BadRequest("Who sends it", "Send the form field staffId, the staff member sending the file (GET /v1/staff lists them).");
        }

        if (await q.ThreadAsync(threadId, ct) is null)
        {
            return Problems.NotFound($"There is no conversation thread {threadId}; GET /v1/conversations lists the open ones.");
        }

        var channel = form["channel"].FirstOrDefault() is { Length: > 0 } c ? c : await ConversationEndpoints.ReplyChannelAsync(q, threadId, ct);
        return await ConversationEndpoints.Guard(async () =>
        {
            var files = await ReadFilesAsync(form.Files, limits, ct);
            if (files.Count == 0)
            {
                return Problems.BadRequest("No file", "Send at least one file part (form field 'file').");
            }

            var stored = await conversations.AppendToThreadAsync(threadId, new NewMessage(Direction.Out, channel, form["body"].ToString(), staffId, Attachments: files), ct);
            return stored is null ? Problems.NotFound($"There is no conversation thread {threadId}.") : TypedResults.Created($"/v1/conversations/{threadId}", stored);
        });
    }

    private static async Task<IResult> VisitorSendAsync(
        HttpRequest request, ApiKeys keys, VisitorTokens tokens, ConversationService conversations, ChatRouter router, AttachmentOptions limits, CancellationToken ct)
    {
        if ((ChatAuth.KeyFrom(request.HttpContext) ?? BasicKey(request)) is not { } key || await keys.VerifyAsync(key, ct) is null)
        {
            return Problems.Make(StatusCodes.Status401Unauthorized, "Missing or unknown key", "Send the site's write key as 'Authorization: Bearer KEY' (as the chat widget does).");
        }

        var (form, problem) = await FormAsync(request, limits, ct);
        if (form is null)
        {
            return problem!;
        }

        if (await VisitorAsync(request, form, tokens, ct) is not { } visitor)
        {
            return Problems.Make(StatusCodes.Status401Unauthorized, "Who is the visitor",
                "Send anonymousId=ID for a visitor, or token=T (a valid visitor token from POST /v1/chat/tokens) for a signed-in customer, as with the chat hub.");
        }

        return await ConversationEndpoints.Guard(async () =>
        {
            var files = await ReadFilesAsync(form.Files, limits, ct);
            if (files.Count == 0)
            {
                return Problems.BadRequest("No file", "Send at least one file part (form field 'file').");
            }

            var thread = await conversations.OpenThreadAsync(visitor, ConversationChannels.Chat, ct);
            await router.RouteAsync(thread, ct);
            var stored = await conversations.AppendToThreadAsync(thread.Id, new NewMessage(Direction.In, ConversationChannels.Chat, form["text"].ToString(), Attachments: files), ct);
            return TypedResults.Created($"/chat/attachments/{stored!.Message.Id}", new
            {
                messageId = stored.Message.Id,
                threadId = stored.Thread.Id,
                attachments = stored.Message.Attachments.Select(a => new { a.Id, a.FileName, a.ContentType, a.Size }),
            });
        });
    }

    /// <summary>
    /// A visitor downloads a file of their chat. A forged link, a file of another visitor's chat
    /// and an unknown file all get the same 404 (nothing to learn); an expired link says so (410).
    /// </summary>
    private static async Task<IResult> VisitorDownloadAsync(
        long id, HttpRequest request, string? exp, string? sig, VisitorTokens tokens, ChatFileLinks links, AttachmentStore store, ConversationQueries q, CancellationToken ct)
    {
        var notFound = Problems.NotFound("There is no such file in your chat. Open the file from the chat window again; links work only for the visitor they were sent to.");
        if (await VisitorAsync(request, null, tokens, ct) is not { } visitor || await store.GetAsync(id, ct) is not { } file)
        {
            return notFound;
        }

        var check = await links.VerifyAsync(id, file.ThreadId, exp, sig, ct);
        if (check == ChatFileLinks.Check.Forged || !await q.BelongsToAsync(file.ThreadId, visitor, ct))
        {
            return notFound;
        }

        return check == ChatFileLinks.Check.Expired
            ? Problems.Make(StatusCodes.Status410Gone, "Link expired", $"Download links last {ChatFileLinks.Lifetime.TotalHours:0} hours. Open the chat again: it shows the file with a fresh link.")
            : File(request.HttpContext.Response, file);
    }

    /// <summary>The chat visitor: a signed-in customer by their visitor token (never a bare userId), else the anonymous id; null when neither is valid.</summary>
    private static async Task<Identifier?> VisitorAsync(HttpRequest request, IFormCollection? form, VisitorTokens tokens, CancellationToken ct)
    {
        var token = request.Query["token"].FirstOrDefault() ?? form?["token"].FirstOrDefault();
        var anon = request.Query["anonymousId"].FirstOrDefault() ?? form?["anonymousId"].FirstOrDefault();
        Identifier? who = !string.IsNullOrWhiteSpace(token)
            ? await tokens.VerifyAsync(token, ct) is { } user ? Identifier.Normalize(Identifier.UserId, user) : null
            : !string.IsNullOrWhiteSpace(anon) ? Identifier.Normalize(Identifier.AnonymousId, anon) : null;
        return who is { Value.Length: > 0 and <= 200 } ? who : null;
    }

    /// <summary>The form, or the problem: not multipart (415), or a body over the limits (413, refused before it is read when its length is known).</summary>
    private static async Task<(IFormCollection? Form, IResult? Problem)> FormAsync(HttpRequest request, AttachmentOptions limits, CancellationToken ct)
    {
        if (!request.HasFormContentType || !MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return (null, NotMultipart(limits));
        }

        var tooLarge = Problems.TooLarge($"A file may have at most {limits.MaxBytes:N0} bytes ({limits.MaxBytes / 1024 / 1024} MB), and a message at most {limits.MaxPerMessage} files.");
        if (request.ContentLength > (limits.MaxBytes * limits.MaxPerMessage) + (1024 * 1024))
        {
            return (null, tooLarge);
        }

        try
        {
            return (await request.ReadFormAsync(ct), null);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException)
        {
            return (null, tooLarge);
        }
    }

    private static IResult NotMultipart(AttachmentOptions limits) =>
        Problems.Make(StatusCodes.Status415UnsupportedMediaType, "Send multipart/form-data",
            $"Post the file as multipart/form-data (curl -F file=@photo.jpg ...); at most {limits.MaxBytes / 1024 / 1024} MB per file.");

    private static string? BasicKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            return text.Split(':', 2)[0] is { Length: > 0 } k ? k : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
