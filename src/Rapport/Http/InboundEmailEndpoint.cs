using Rapport.Core.Conversations;

namespace Rapport.Http;

/// <summary>
/// POST /v1/inbound/email: what mail providers post when a customer writes or replies. Either
/// the raw message (message/rfc822, or any non-JSON body) or JSON fields. Answers 201 with the
/// stored message, 200 when that Message-ID was stored before.
/// </summary>
internal static class InboundEmailEndpoint
{
    internal sealed record JsonEmail(string? From, string[]? To, string? Subject, string? Text, string? MessageId, DateTimeOffset? SentAt);

    public static async Task<IResult> ReceiveAsync(HttpRequest request, InboundMail inbound, CancellationToken ct)
    {
        if (request.ContentLength > InboundMail.MaxBytes)
        {
            return Problems.TooLarge($"An inbound email may be at most {InboundMail.MaxBytes / 1024 / 1024} MB; attachments over the per-file limit are left out anyway, so strip large ones before posting.");
        }

        return await ConversationEndpoints.Guard(async () =>
        {
            InboundEmail email;
            if (request.HasJsonContentType())
            {
                JsonEmail? json;
                try
                {
                    json = await request.ReadFromJsonAsync<JsonEmail>(ct);
                }
                catch (System.Text.Json.JsonException e)
                {
                    return Problems.BadRequest("Bad JSON", "The body is not valid JSON (" + e.Message + "); send {\"from\": \"ada@example.com\", \"subject\": \"...\", \"text\": \"...\", \"messageId\": \"<id@mail>\"}.");
                }

                email = new InboundEmail(json?.From ?? "", json?.To ?? [], json?.Subject, json?.Text ?? "", json?.MessageId) { SentAt = json?.SentAt };
            }
            else
            {
                // MimeKit reads synchronously from a stream it can seek: buffer the request first.
                await using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, ct);
                buffer.Position = 0;
                email = await InboundMail.ParseAsync(buffer, ct);
            }

            var stored = await inbound.FileAsync(email, ct);
            return stored.Created
                ? TypedResults.Created($"/v1/conversations/{stored.Thread.Id}", stored)
                : TypedResults.Ok(stored);
        });
    }
}
