using System.Security.Cryptography;
using System.Text;

namespace Rapport.Core.Messaging;

/// <summary>
/// Signed links in messages (unsubscribe, open pixel, tracked clicks). A token is the message
/// key plus an HMAC-SHA256 over it, so a link cannot be forged or pointed at someone else's
/// message, and needs no lookup table. The key comes from the store (see
/// <see cref="MessagingSecrets"/>) so links keep working across restarts and nodes.
/// </summary>
public sealed class MessageLinks(MessagingSecrets secrets, MessagingOptions options)
{
    public string PublicUrl => options.PublicUrl.TrimEnd('/');

    public string Token(string messageKey) =>
        Base64Url(Encoding.UTF8.GetBytes(messageKey)) + "." + Base64Url(Mac("key:" + messageKey)[..16]);

    /// <summary>The message key inside a token, or null if the token was altered.</summary>
    public string? KeyOf(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        try
        {
            var key = Encoding.UTF8.GetString(FromBase64Url(token[..dot]));
            return CryptographicOperations.FixedTimeEquals(FromBase64Url(token[(dot + 1)..]), Mac("key:" + key)[..16]) ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public string Unsubscribe(string messageKey) => $"{PublicUrl}/m/unsubscribe/{Token(messageKey)}";

    public string OpenPixel(string messageKey) => $"{PublicUrl}/m/open/{Token(messageKey)}";

    public string Click(string messageKey, string url) =>
        $"{PublicUrl}/m/click/{Token(messageKey)}?u={Uri.EscapeDataString(url)}&s={UrlSignature(messageKey, url)}";

    /// <summary>True if <paramref name="signature"/> was made for this message and URL (no open redirect).</summary>
    public bool IsValidClick(string messageKey, string url, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(UrlSignature(messageKey, url)));

    private string UrlSignature(string messageKey, string url) => Base64Url(Mac("url:" + messageKey + "\n" + url)[..12]);

    private byte[] Mac(string text) => HMACSHA256.HashData(secrets.SigningKey, Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + ((4 - (b.Length % 4)) % 4), '='));
    }
}
