using System.Text.Json;
using Rapport.Core.Conversations;
using Rapport.Core.Messaging;
using Rapport.Http.Chat;

namespace Rapport.Http;

/// <summary>
/// POST /v1/webhooks/sms/inbound: what the SMS provider posts when a customer texts us. No API
/// key: the provider signs the body as our outbound webhooks do (<see cref="WebhookSignature"/>)
/// with the sms webhook's secret (Rapport:Webhooks:sms:Secret, or :InboundSecret when the
/// provider uses another). 201 with the stored message or the consent a keyword recorded, 200
/// when that provider message id was stored before.
/// </summary>
internal static class InboundSmsEndpoint
{
    public const string Path = "/v1/webhooks/sms/inbound";
    internal sealed record SmsJson(string? From, string? To, string? Body, string? Text, string? MessageId, DateTimeOffset? ReceivedAt);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IResult> ReceiveAsync(
        HttpRequest request, MessagingOptions messaging, IConfiguration configuration, InboundTexts texts, ChatRouter router, TimeProvider clock, CancellationToken ct)
    {
        var (raw, refused) = await SignedWebhooks.ReadSignedAsync(ConversationChannels.Sms, "An inbound SMS", request, messaging, configuration, clock, ct);
        if (raw is null)
        {
            return refused!;
        }

        SmsJson? body;
        try
        {
            body = JsonSerializer.Deserialize<SmsJson>(raw, Json);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest("Bad JSON", "The body is not valid JSON (" + e.Message + "); send {\"from\": \"+447700900123\", \"to\": \"+447700900000\", \"body\": \"...\", \"messageId\": \"SM123\", \"receivedAt\": \"2026-11-26T10:00:00Z\"}.");
        }

        var sms = new InboundSms(body?.From ?? "", body?.To, body?.Body ?? body?.Text ?? "", body?.MessageId ?? "", body?.ReceivedAt);
        return await ConversationEndpoints.Guard(async () =>
        {
            InboundTexts.Sender(sms); // says what is missing before anything is stored
            if (InboundTexts.KeywordConsent(sms.Body) is { } consent)
            {
                var k = await texts.ApplyKeywordAsync(sms, consent, ct);
                var result = new { keyword = k.Keyword, consent = new { item = "marketing.sms", value = k.Consent, source = InboundTexts.KeywordSource }, customerId = k.CustomerId };
                return k.Created ? Results.Json(result, statusCode: StatusCodes.Status201Created) : Results.Ok(result);
            }

            if (await texts.StoredAsync(sms.MessageId, ct) is { } before)
            {
                return TypedResults.Ok(before);
            }

            // Route before storing, so the broadcast after the commit goes to the manager who took it.
            var thread = await texts.ThreadAsync(sms, ct);
            await router.RouteAsync(thread, ct);
            var stored = await texts.FileAsync(thread.Id, sms, ct);
            return stored.Created ? TypedResults.Created($"/v1/conversations/{stored.Thread.Id}", stored) : TypedResults.Ok(stored);
        });
    }
}
