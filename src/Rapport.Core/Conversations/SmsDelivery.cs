using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Consent;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Conversations;

/// <summary>
/// A staff answer on the sms channel goes out through the outbox on the SMS webhook channel
/// (service purpose: an answer to someone who wrote to us), enqueued in the answer's own
/// transaction, to the customer's newest phone number.
/// </summary>
public sealed class SmsDelivery(Outbox outbox) : IConversationDelivery
{
    public async Task DeliverAsync(UnitOfWork unit, AppendResult stored)
    {
        if (stored.Message.Channel != ConversationChannels.Sms)
        {
            return;
        }

        if (stored.Message.Attachments.Count > 0)
        {
            // Refused (the whole answer, in its transaction) rather than sent without the file.
            throw new ConversationException("No files by SMS",
                "A text cannot carry files (MMS is not supported). Send the file by email or in the chat (channel \"email\" or \"chat\"), or answer by SMS in words only.");
        }

        var phone = await NewestIdentifier.OfAsync(unit.Connection, unit.Transaction, stored.Thread.CustomerId, Identifier.Phone);
        if (phone is null)
        {
            throw new ConversationException("No phone number", $"Customer {stored.Thread.CustomerId} has no phone number to text; answer on another channel or add their phone with an identify call.");
        }

        await outbox.EnqueueAsync(unit, new OutgoingMessage(
            $"conversation-{stored.Message.Id}", stored.Thread.CustomerId, ConversationChannels.Sms, MessagePurpose.Service, null, phone,
            "", stored.Message.Body, null));
    }
}

/// <summary>
/// A customer who texted STOP gets no more texts at all, service answers included, until they
/// text START or grant SMS again (what carriers enforce for a number that opted out). Marketing
/// SMS is already held back by the consent gate; this gate also holds back service SMS, and
/// only when the latest SMS marketing answer is a STOP keyword.
/// </summary>
public sealed class SmsStopGate(IDatabase database) : IContactGate
{
    public async ValueTask<DeliveryOutcome?> CheckAsync(ClaimedMessage message, DateTimeOffset now, CancellationToken ct)
    {
        if (message.Channel != ConversationChannels.Sms)
        {
            return null;
        }

        await using var c = await database.OpenAsync(ct);
        if (await ConsentLedger.CurrentCustomerAsync(c, null, message.CustomerId) is not { } customer)
        {
            return null; // the consent gate and erasure deal with customers that are gone
        }

        var item = ConsentEntry.Pair(ConsentVocabulary.Marketing, ConsentVocabulary.Sms);
        var last = (await ConsentLedger.ReadAsync(c, null, customer)).LastOrDefault(e => e.Item == item);
        return last is { Value: ConsentEntry.Denied, Source: InboundTexts.KeywordSource }
            ? new DeliveryOutcome.Blocked(message.Id, $"the customer texted STOP ({last.At:yyyy-MM-dd HH:mm} UTC); no texts until they text START")
            : null;
    }
}
