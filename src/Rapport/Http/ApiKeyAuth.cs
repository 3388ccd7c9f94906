using System.Text;
using Rapport.Core.Keys;

namespace Rapport.Http;

/// <summary>
/// Every endpoint but health needs a key. Segment libraries send the write key as the
/// HTTP basic user name with an empty password; we also take "Bearer KEY". An address that sends
/// too many unknown keys is refused for a while (<see cref="FailedKeyAttempts"/>, 429).
/// </summary>
internal static class ApiKeyAuth
{
    public static RouteGroupBuilder RequireKey(this RouteGroupBuilder group, KeyKind least) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var failures = http.RequestServices.GetRequiredService<FailedKeyAttempts>();
            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (failures.BlockedFor(address) is { } wait)
            {
                var seconds = (int)Math.Ceiling(wait.TotalSeconds);
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problems.Make(StatusCodes.Status429TooManyRequests, "Too many unknown API keys",
                    $"Requests from your address sent {failures.Limit} or more unknown API keys within a minute, so this address is refused for {seconds} more seconds. " +
                    "Check the key your client sends (`rapport keys list` shows the keys that exist), then retry after the wait.");
            }

            var key = KeyFrom(http.Request.Headers.Authorization.ToString());
            if (key is null)
            {
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"rapport\"";
                return Problems.Make(StatusCodes.Status401Unauthorized, "Missing API key",
                    "Send your key as the HTTP basic user name (Segment libraries do this with the write key) or as 'Authorization: Bearer KEY'. Create one with `rapport keys create`.");
            }

            var kind = await http.RequestServices.GetRequiredService<ApiKeys>().VerifyAsync(key, http.RequestAborted);
            if (kind is null)
            {
                failures.RecordFailure(address);
                return Problems.Make(StatusCodes.Status401Unauthorized, "Unknown API key",
                    "This key does not exist or was revoked. Check for typos or create a new one with `rapport keys create`.");
            }

            if (least == KeyKind.Admin && kind != KeyKind.Admin)
            {
                return Problems.Make(StatusCodes.Status403Forbidden, "Admin key required",
                    "Write keys may only send events to /v1/identify, /v1/track, /v1/page, /v1/screen, /v1/group, /v1/alias and /v1/batch. Use an admin key for this endpoint.");
            }

            return await next(context);
        });

    private static string? KeyFrom(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim() is { Length: > 0 } bearer ? bearer : null;
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // Decoded on the stack: every API request carries this header, so no intermediate strings.
        var encoded = header.AsSpan(6).Trim();
        Span<byte> decoded = encoded.Length <= 1024 ? stackalloc byte[encoded.Length] : new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, decoded, out var length))
        {
            return null;
        }

        var user = decoded[..length];
        if (user.IndexOf((byte)':') is var colon and >= 0)
        {
            user = user[..colon];
        }

        return user.Length > 0 ? Encoding.UTF8.GetString(user) : null;
    }
}
