using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Rapport.Core.Messaging;

namespace Rapport.Core.Preferences;

/// <summary>What a preference-centre token turned out to be.</summary>
public enum LinkStatus
{
    Valid,
    Invalid,
    Expired,
}

public sealed record LinkCheck(LinkStatus Status, long CustomerId, DateTimeOffset? ExpiresAt);

/// <summary>A signed link to a customer's preference centre and when it stops working.</summary>
public sealed record PreferenceLink(long CustomerId, string Token, string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Signed, expiring links to the preference centre: the token is "customer.expiry.signature",
/// the signature an HMAC-SHA256 (with the messaging signing key, <see cref="MessagingSecrets"/>)
/// over both, so it cannot be pointed at another customer or made to last longer, and needs no
/// lookup table. Anyone holding the link sees that customer's data until it expires, as with
/// any e-mailed sign-in link: hence a lifetime (30 days by default) and no way to extend one.
/// </summary>
public sealed class PreferenceLinks(MessagingSecrets secrets, MessagingOptions messaging, PreferenceOptions options, TimeProvider clock)
{
    public const string Path = "/preferences";

    public async Task<PreferenceLink> CreateAsync(long customerId, TimeSpan? lifetime = null, CancellationToken ct = default)
    {
        await secrets.LoadAsync(ct);
        return Create(customerId, lifetime);
    }

    /// <summary>As <see cref="CreateAsync"/>; the secrets must be loaded (the message composer has).</summary>
    public PreferenceLink Create(long customerId, TimeSpan? lifetime = null)
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds((clock.GetUtcNow() + (lifetime ?? options.LinkLifetime)).ToUnixTimeSeconds());
        var body = $"{customerId.ToString(CultureInfo.InvariantCulture)}.{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var token = body + "." + Signature(body);
        return new(customerId, token, $"{messaging.PublicUrl.TrimEnd('/')}{Path}/{token}", expires);
    }

    public async Task<LinkCheck> CheckAsync(string? token, CancellationToken ct = default)
    {
        await secrets.LoadAsync(ct);
        var parts = (token ?? "").Split('.');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var customer)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253402300799 // year 9999: DateTimeOffset's limit
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[2]), Encoding.ASCII.GetBytes(Signature(parts[0] + "." + parts[1]))))
        {
            return new(LinkStatus.Invalid, 0, null);
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return new(clock.GetUtcNow() >= expires ? LinkStatus.Expired : LinkStatus.Valid, customer, expires);
    }

    private string Signature(string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(secrets.SigningKey, Encoding.UTF8.GetBytes("prefs:" + body))[..18]).Replace('+', '-').Replace('/', '_');
}
