using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Rapport.Core.Messaging;

namespace Rapport.Http.Chat;

/// <summary>
/// Signed visitor tokens: the shop's backend (admin key) vouches that a signed-in visitor is
/// userId U until a time, so the write key in the page cannot be used to chat, and read the
/// history, as somebody else. HMAC-SHA256 with the messaging signing key over a
/// purpose-prefixed text, so a link signature is never a valid chat token.
/// </summary>
internal sealed class VisitorTokens(MessagingSecrets secrets, TimeProvider clock)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(string userId, TimeSpan lifetime, CancellationToken ct)
    {
        await secrets.LoadAsync(ct);
        var expires = clock.GetUtcNow() + lifetime;
        var ms = expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var encoded = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(userId));
        return ($"{encoded}.{ms}.{Sign(encoded, ms)}", expires);
    }

    /// <returns>The userId the token vouches for, or null when it is damaged, forged or expired.</returns>
    public async Task<string?> VerifyAsync(string token, CancellationToken ct)
    {
        await secrets.LoadAsync(ct);
        var parts = token.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(parts[0], parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])) || DateTimeOffset.FromUnixTimeMilliseconds(ms) <= clock.GetUtcNow())
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0]));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private string Sign(string encodedUser, string ms) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secrets.SigningKey, Encoding.UTF8.GetBytes($"chat-visitor|{encodedUser}|{ms}")));
}
