using System.Text.RegularExpressions;
using MimeKit;
using Rapport.Engine.Identity;

namespace Rapport.Core.Conversations;

/// <summary>An email a customer sent us, as providers post it (parsed from RFC 822 or given as JSON fields).</summary>
public sealed record InboundEmail(string From, IReadOnlyList<string> To, string? Subject, string Text, string? MessageId);

/// <summary>
/// Reads inbound email (MimeKit) and files it: the thread named by its reply token if it
/// carries one, else the sender's newest open thread (the sender found, or created, by their
/// email identifier). Stored once per Message-ID; an "Email Replied" event lands on the timeline.
/// </summary>
public sealed partial class InboundMail(ConversationService conversations, ConversationQueries queries)
{
    public const int MaxBytes = 10 * 1024 * 1024;

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
        return new InboundEmail(
            from ?? "",
            message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address).ToList(),
            message.Subject,
            text ?? "",
            message.MessageId);
    }

    public async Task<AppendResult> FileAsync(InboundEmail email, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email.From) || !email.From.Contains('@', StringComparison.Ordinal))
        {
            throw new ConversationException("No sender", "The email has no From address; it is needed to find the customer.");
        }

        var text = NewText(email.Text);
        if (text.Length == 0)
        {
            throw new ConversationException("Empty email", "The email has no text (a text/plain or text/html part) to store.");
        }

        var message = new NewMessage(Direction.In, ConversationChannels.Email, text, Subject: ReplyTokens.Clean(email.Subject),
            Key: email.MessageId is { Length: > 0 } id ? "email:" + id : null);
        if (ReplyTokens.Find(email.Subject, email.To) is { } token && await queries.ThreadByTokenAsync(token, ct) is { } thread)
        {
            return (await conversations.AppendToThreadAsync(thread.Id, message, ct))!;
        }

        return await conversations.AppendAsync(Identifier.Normalize(Identifier.Email, email.From), message, ct);
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
