using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rapport.Core.Messaging;

/// <summary>
/// Checks a provider's inbound webhook (an SMS a customer sent) signed with the scheme our
/// outbound webhooks use (<see cref="WebhookTransport"/>): header
/// <c>X-Rapport-Signature: t=UNIX,v1=HEX</c>, HEX = HMAC-SHA256(secret, "UNIX.BODY"). The
/// timestamp must be within <see cref="Tolerance"/> of now, so a captured request cannot be
/// replayed later; within that window, deduplication on the provider's message id makes a replay harmless.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Rapport-Signature";

    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Null when the request is genuine and fresh; otherwise what is wrong, for the 401 problem.</summary>
    public static string? Check(string secret, string? header, string body, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return $"The {Header} header is missing; sign the body as t=UNIX_SECONDS,v1=hex(HMAC-SHA256(secret, \"UNIX_SECONDS.BODY\")).";
        }

        string? t = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2)
            {
                continue;
            }

            switch (kv[0].Trim())
            {
                case "t": t = kv[1].Trim(); break;
                case "v1": signatures.Add(kv[1].Trim()); break;
            }
        }

        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || signatures.Count == 0)
        {
            return $"The {Header} header must be t=UNIX_SECONDS,v1=HEX; got '{(header.Length > 100 ? header[..100] : header)}'.";
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, 0, 253_402_300_799));
        if (age.Duration() > Tolerance)
        {
            return $"The signature's timestamp is {Math.Abs(age.TotalSeconds):0} s from now; it must be within {Tolerance.TotalMinutes:0} minutes (check the sender's clock, and sign each request when it is sent).";
        }

        var expected = Encoding.ASCII.GetBytes(WebhookTransport.Sign(secret, t, body));
        // Several v1 values are allowed so a provider can sign with an old and a new secret while rotating.
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s.ToLowerInvariant())))
            ? null
            : "The signature does not match the body: sign exactly the bytes you send, with the secret configured for the channel (Rapport:Webhooks:sms:Secret or Rapport:Webhooks:push:Secret, or its :InboundSecret).";
    }
}
