using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Rapport.Core.Conversations;
using Rapport.Core.Messaging;

namespace Rapport.Http.Chat;

/// <summary>A file as the chat visitor sees it: a signed, expiring download address.</summary>
internal sealed record ChatFile(long Id, string FileName, string ContentType, long Size, string Url);

/// <summary>
/// Signed, expiring download links for files in a visitor's chat: HMAC-SHA256 (the messaging
/// signing key, purpose-prefixed so no other signature is valid here) over the file, its thread
/// and the expiry. The link alone is not enough: the download also needs the visitor's own
/// anonymousId or visitor token, and their thread must be the file's (another visitor: 404).
/// </summary>
internal sealed class ChatFileLinks(MessagingSecrets secrets, TimeProvider clock)
{
    public const string Path = "/chat/files";

    /// <summary>Long enough to come back to a chat the next day; History hands out fresh ones.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public async Task<IReadOnlyList<ChatFile>> ForAsync(long threadId, IReadOnlyList<AttachmentInfo> files, CancellationToken ct)
    {
        if (files.Count == 0)
        {
            return [];
        }

        await secrets.LoadAsync(ct);
        var exp = (clock.GetUtcNow() + Lifetime).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return files.Select(f => new ChatFile(f.Id, f.FileName, f.ContentType, f.Size, $"{Path}/{f.Id}?exp={exp}&sig={Sign(f.Id, threadId, exp)}")).ToList();
    }

    public enum Check
    {
        Valid,
        Forged,
        Expired,
    }

    public async Task<Check> VerifyAsync(long fileId, long threadId, string? exp, string? sig, CancellationToken ct)
    {
        await secrets.LoadAsync(ct);
        if (exp is null || sig is null || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(fileId, threadId, exp)), Encoding.ASCII.GetBytes(sig)))
        {
            return Check.Forged;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms) <= clock.GetUtcNow() ? Check.Expired : Check.Valid;
    }

    private string Sign(long fileId, long threadId, string exp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secrets.SigningKey, Encoding.UTF8.GetBytes($"chat-file|{fileId}|{threadId}|{exp}")));
}
