using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Rapport.Core.Messaging;

/// <summary>Where an SMS or push provider's webhook is and the secret both sides sign with.</summary>
public sealed record WebhookOptions(string Channel, Uri Url, string Secret)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public int Parallelism { get; init; } = 4;
}

/// <summary>
/// SMS and push through a provider's webhook: one JSON POST per message, signed so the receiver
/// can check it came from us and is fresh: header <c>X-Rapport-Signature: t=UNIX,v1=HEX</c> where
/// HEX is HMAC-SHA256(secret, "UNIX.BODY") (the scheme Stripe uses). <c>Idempotency-Key</c>
/// carries the outbox key, so a provider can drop a resend. 2xx is sent; 408, 429, 5xx and
/// timeouts are retried with back-off; any other 4xx is permanent (dead-lettered at once).
/// </summary>
public sealed class WebhookTransport(WebhookOptions options, HttpClient http, TimeProvider clock) : IMessageTransport
{
    public string Channel => options.Channel;

    public int Parallelism => Math.Max(1, options.Parallelism);

    public async Task<DeliveryOutcome> SendAsync(ClaimedMessage m, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["id"] = m.Id,
            ["key"] = m.Key,
            ["channel"] = m.Channel,
            ["to"] = m.Recipient,
            ["title"] = m.Subject.Length > 0 ? m.Subject : null,
            ["text"] = m.BodyText,
            ["purpose"] = m.Purpose,
            ["customerId"] = m.CustomerId,
            ["attempt"] = m.Attempt,
        }.ToJsonString();
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Rapport-Signature", $"t={timestamp},v1={Sign(options.Secret, timestamp, body)}");
        request.Headers.Add("Idempotency-Key", m.Key);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var reply = await http.SendAsync(request, timeout.Token);
            var status = (int)reply.StatusCode;
            if (reply.IsSuccessStatusCode)
            {
                return new DeliveryOutcome.Sent(m.Id);
            }

            var text = $"{options.Url.Host} replied {status} {reply.ReasonPhrase}";
            return status is 408 or 429 || status >= 500
                ? new DeliveryOutcome.Transient(m.Id, text)
                : new DeliveryOutcome.Permanent(m.Id, text, SuppressRecipient: false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome.Transient(m.Id, $"{options.Url.Host} did not answer within {options.Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return new DeliveryOutcome.Transient(m.Id, $"{options.Url.Host}: {e.Message}");
        }
    }

    /// <summary>HEX(HMAC-SHA256(secret, "timestamp.body")): what a receiver recomputes to verify.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
