using System.Text;
using Rapport.Core.Messaging;

namespace Rapport.Http;

/// <summary>
/// What every webhook a provider posts to us shares (inbound texts, delivery and engagement
/// reports): the secret it signs with, and the body read as the exact text that was signed.
/// </summary>
internal static class SignedWebhooks
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// The body of a provider's POST on <paramref name="channel"/> once it is set up, within the
    /// size limit and signed with the channel's secret within the time window; otherwise the
    /// problem to answer with (503, 413 or 401), and nothing has been read into the store.
    /// </summary>
    public static async Task<(string? Body, IResult? Problem)> ReadSignedAsync(
        string channel, string what, HttpRequest request, MessagingOptions messaging, IConfiguration configuration, TimeProvider clock, CancellationToken ct)
    {
        if (Secret(channel, messaging, configuration) is not { } secret)
        {
            return (null, NotSetUp(channel));
        }

        if (await ReadAsync(request, ct) is not { } raw)
        {
            return (null, TooLarge(what));
        }

        return WebhookSignature.Check(secret, request.Headers[WebhookSignature.Header], raw, clock.GetUtcNow()) is { } wrong
            ? (null, Problems.Make(StatusCodes.Status401Unauthorized, "Bad signature", wrong))
            : (raw, null);
    }

    /// <summary>The channel's inbound secret (Rapport:Webhooks:CHANNEL:InboundSecret when the provider signs with another), else the outbound one; null when the channel is not set up.</summary>
    public static string? Secret(string channel, MessagingOptions messaging, IConfiguration configuration) =>
        configuration[$"Rapport:Webhooks:{channel}:InboundSecret"] is { Length: >= 16 } own ? own
            : messaging.Webhooks.FirstOrDefault(w => w.Channel == channel)?.Secret;

    /// <summary>503, not 404: the provider keeps retrying, so nothing is lost while it is being set up.</summary>
    public static IResult NotSetUp(string channel) =>
        Problems.Make(StatusCodes.Status503ServiceUnavailable, $"{OutboxEvents.Label(channel)} is not set up",
            $"Set Rapport:Webhooks:{channel}:Url and :Secret (at least 16 characters; the provider signs what it posts to us with it) and restart.");

    public static IResult TooLarge(string what) => Problems.TooLarge($"{what} is at most {MaxBytes / 1024} KB of JSON.");

    /// <summary>The body as the exact text that was signed, at most <see cref="MaxBytes"/>; null when larger (a chunked body has no length to check first).</summary>
    public static async Task<string?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
