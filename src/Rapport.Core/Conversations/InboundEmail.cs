using System.Text.RegularExpressions;
using MimeKit;
using Rapport.Engine.Identity;

namespace Rapport.Core.Conversations;

/// <summary>An email a customer sent us, as providers post it (parsed from RFC 822 or given as JSON fields).</summary>
public sealed record InboundEmail(string From, IReadOnlyList<string> To, string? Subject, string Text, string? MessageId)
{
    /// <summary>The files attached to the email (MIME parts with a file name or Content-Disposition: attachment).</summary>
    public IReadOnlyList<NewAttachment> Attachments { get; init; } = [];

    /// <summary>When the sender's mail program says it was sent (the Date header, or JSON sentAt); null when unknown.</summary>
    public DateTimeOffset? SentAt { get; init; }
}

/// <summary>
/// Reads inbound email (MimeKit) and files it: the thread named by its reply token if it
/// carries one, else the sender's newest open thread (the sender found, or created, by their
/// email identifier). Stored once per Message-ID; an "Email Replied" event lands on the timeline.
/// </summary>
public sealed partial class InboundMail(ConversationService conversations, ConversationQueries queries, AttachmentOptions? attachmentLimits = null)
{
    /// <summary>A whole posted email: room for a few files of the 10 MB each that are kept, in base64.</summary>
    public const int MaxBytes = 40 * 1024 * 1024;

    private readonly AttachmentOptions _limits = attachmentLimits ?? new AttachmentOptions();

    /// <summary>Parses a raw RFC 822 message; a ConversationException says what is wrong with it.</summary>
    public static async Task<InboundEmail> ParseAsync(Stream raw, CancellationToken ct)
    {
        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(raw, ct);
        }
        catch (FormatException e)
        {
            throw new ConversationException("Not an email", "The body is not an RFC 822 message (" + e.Message + "); post the raw message with content-type message/rfc822, or JSON {\"from\", \"subject\", \"text\"}.");
        }

        var from = message.From.Mailboxes.FirstOrDefault()?.Address;
        var text = message.TextBody ?? (message.HtmlBody is { } html ? StripTags(html) : null);
        var files = new List<NewAttachment>();
        foreach (var part in message.Attachments.OfType<MimePart>())
        {
            await using var bytes = new MemoryStream();
            if (part.Content is { } content)
            {
                await content.DecodeToAsync(bytes, ct);
            }

            files.Add(new NewAttachment(part.FileName ?? "attachment", part.ContentType.MimeType, bytes.ToArray()));
        }

        return new InboundEmail(
            from ?? "",
            message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address).ToList(),
            message.Subject,
            text ?? "",
            message.MessageId) { Attachments = files, SentAt = message.Headers.Contains(HeaderId.Date) ? message.Date : null };
    }

    public async Task<AppendResult> FileAsync(InboundEmail email, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email.From) || !email.From.Contains('@', StringComparison.Ordinal))
        {
            throw new ConversationException("No sender", "The email has no From address; it is needed to find the customer.");
        }

        // The customer's words are never refused for a file we do not keep: such a file is left
        // out and the message says so (a provider would otherwise retry, or the email be lost).
        var (kept, notKept) = Sort(email.Attachments);
        var text = NewText(email.Text);
        if (notKept.Count > 0)
        {
            text = (text + "\n\n[not kept: " + string.Join("; ", notKept) + "]").Trim();
        }

        if (text.Length == 0 && kept.Count == 0)
        {
            throw new ConversationException("Empty email", "The email has no text (a text/plain or text/html part) and no attachment to store.");
        }

        var message = new NewMessage(Direction.In, ConversationChannels.Email, text, Subject: ReplyTokens.Clean(email.Subject),
            Key: email.MessageId is { Length: > 0 } id ? "email:" + id : null, Attachments: kept, ProviderAt: email.SentAt);
        if (ReplyTokens.Find(email.Subject, email.To) is { } token && await queries.ThreadByTokenAsync(token, ct) is { } thread)
        {
            return (await conversations.AppendToThreadAsync(thread.Id, message, ct))!;
        }

        return await conversations.AppendAsync(Identifier.Normalize(Identifier.Email, email.From), message, ct);
    }

    private (List<NewAttachment> Kept, List<string> NotKept) Sort(IReadOnlyList<NewAttachment> files)
    {
        var kept = new List<NewAttachment>();
        var notKept = new List<string>();
        foreach (var f in files)
        {
            try
            {
                var ok = _limits.Check([f]);
                if (kept.Count < _limits.MaxPerMessage)
                {
                    kept.AddRange(ok);
                }
                else
                {
                    notKept.Add($"{AttachmentOptions.SafeName(f.FileName)} (more than {_limits.MaxPerMessage} files)");
                }
            }
            catch (ConversationException e)
            {
                notKept.Add($"{AttachmentOptions.SafeName(f.FileName)} ({e.Title.ToLowerInvariant()})");
            }
        }

        return (kept, notKept);
    }

    /// <summary>What the customer wrote, without the quoted message below it ("On … wrote:" and "&gt;" lines).</summary>
    public static string NewText(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (QuoteHeader().IsMatch(line) || line.TrimStart().StartsWith("-----Original Message-----", StringComparison.Ordinal))
            {
                break;
            }

            if (!line.StartsWith('>'))
            {
                kept.Add(line);
            }
        }

        return string.Join('\n', kept).Trim();
    }

    private static string StripTags(string html) =>
        System.Net.WebUtility.HtmlDecode(Tags().Replace(Breaks().Replace(html, "\n"), ""));

    [GeneratedRegex(@"^\s*On .{4,200} wrote:\s*$")]
    private static partial Regex QuoteHeader();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"<br\s*/?>|</p>", RegexOptions.IgnoreCase)]
    private static partial Regex Breaks();
}
