using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Conversations;

/// <summary>A text message a customer sent, as the SMS provider posts it.</summary>
public sealed record InboundSms(string From, string? To, string Body, string MessageId, DateTimeOffset? ReceivedAt);

/// <summary>What a keyword (STOP, START) did: the SMS marketing consent it recorded for the customer.</summary>
public sealed record SmsKeywordResult(long CustomerId, string Keyword, string Consent, bool Created);

/// <summary>
/// Files inbound SMS. The sender is found (or created) by their phone identifier. A keyword
/// alone (STOP, UNSUBSCRIBE... / START...) changes the customer's SMS marketing consent, recorded
/// in the consent ledger with source "sms keyword", and nothing else happens: no message in the
/// inbox, no answer sent (the provider or carrier confirms opt-outs itself). Anything else is a
/// message on the customer's thread, channel sms. Both are stored once per provider message id.
/// </summary>
public sealed class InboundTexts(StoreWriter writer, IdentityResolver identity, ConversationService conversations, ConsentService consent, IDatabase database)
{
    public const string KeywordSource = "sms keyword";

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal) { "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT" };
    private static readonly HashSet<string> StartWords = new(StringComparer.Ordinal) { "START", "UNSTOP", "SUBSCRIBE", "OPTIN" };

    /// <summary>The consent a message that is only a keyword asks for ("denied" for STOP, "granted" for START); null for anything else.</summary>
    public static string? KeywordConsent(string body)
    {
        var word = new string(body.Trim().Where(ch => !char.IsPunctuation(ch)).ToArray()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return StopWords.Contains(word) ? ConsentEntry.Denied : StartWords.Contains(word) ? ConsentEntry.Granted : null;
    }

    /// <summary>Checks the fields; a ConversationException says what to send.</summary>
    public static Identifier Sender(InboundSms sms)
    {
        if (string.IsNullOrWhiteSpace(sms.MessageId) || sms.MessageId.Length > 200)
        {
            throw new ConversationException("messageId required", "Send the provider's messageId (1 to 200 characters): it is how a retried webhook is stored once.");
        }

        var phone = Identifier.Normalize(Identifier.Phone, sms.From is { Length: <= 64 } from ? from : "");
        if (phone.Value.Count(char.IsAsciiDigit) < 5 || phone.Value.Length > 32)
        {
            throw new ConversationException("Bad from", $"from must be the sender's phone number, ideally E.164 (+447700900123); got '{sms.From}'.");
        }

        if (string.IsNullOrWhiteSpace(sms.Body))
        {
            throw new ConversationException("Empty message", "body is empty: send the text the customer wrote.");
        }

        return phone;
    }

    /// <summary>The message stored before under this provider id (a retried webhook), or null.</summary>
    public Task<AppendResult?> StoredAsync(string messageId, CancellationToken ct = default) =>
        ConversationQueries.StoredByKeyAsync(database, MessageKey(messageId), ct);

    /// <summary>The sender's thread to file into (newest open, else new): opened first so the caller can route it before the message is told to staff.</summary>
    public Task<ConversationThread> ThreadAsync(InboundSms sms, CancellationToken ct = default) =>
        conversations.OpenThreadAsync(Sender(sms), ConversationChannels.Sms, ct);

    public async Task<AppendResult> FileAsync(long threadId, InboundSms sms, CancellationToken ct = default) =>
        (await conversations.AppendToThreadAsync(threadId, new NewMessage(Direction.In, ConversationChannels.Sms, sms.Body.Trim(), Key: MessageKey(sms.MessageId), ProviderAt: sms.ReceivedAt), ct))!;

    /// <summary>Records the keyword's consent (once per provider message id) for the sender, created if new.</summary>
    public Task<SmsKeywordResult> ApplyKeywordAsync(InboundSms sms, string value, CancellationToken ct = default)
    {
        var phone = Sender(sms);
        var eventId = "sms-keyword:" + sms.MessageId;
        var keyword = sms.Body.Trim().ToUpperInvariant();
        return writer.WriteAsync(async unit =>
        {
            var customer = (await identity.EnsureAsync(unit, phone.Kind, [phone.Value], unit.Now))[phone.Value];
            if (await unit.Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE message_id = @eventId", new { eventId }, unit.Transaction) > 0)
            {
                return new SmsKeywordResult(customer, keyword, value, false);
            }

            var change = new ConsentUpdate(KeywordSource, [new ConsentEntry(ConsentEntry.Pair(ConsentVocabulary.Marketing, ConsentVocabulary.Sms), value)]);
            var state = await consent.UpdateAsync(unit, customer, change, replace: false, eventId, ct);
            return new SmsKeywordResult(state?.Customer ?? customer, keyword, value, true);
        }, ct);
    }

    private static string MessageKey(string providerId) => "sms:" + providerId;
}
