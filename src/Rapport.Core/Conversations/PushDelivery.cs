using Dapper;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>
/// A staff answer on the push channel (to a customer who answered a push notification) goes out
/// through the outbox on the push webhook channel, service purpose, to the customer's push token
/// (the <c>pushToken</c> trait, as templates use it), enqueued in the answer's own transaction.
/// </summary>
public sealed class PushDelivery(Outbox outbox) : IConversationDelivery
{
    public async Task DeliverAsync(UnitOfWork unit, AppendResult stored)
    {
        if (stored.Message.Channel != ConversationChannels.Push)
        {
            return;
        }

        if (stored.Message.Attachments.Count > 0)
        {
            throw new ConversationException("No files by push",
                "A push notification cannot carry files. Send the file by email or in the chat (channel \"email\" or \"chat\"), or answer by push in words only.");
        }

        var token = await unit.Connection.QueryFirstOrDefaultAsync<string?>(
            "SELECT value FROM traits WHERE customer_id = @customer AND name IN ('pushToken', 'push_token') ORDER BY at DESC LIMIT 1",
            new { customer = stored.Thread.CustomerId }, unit.Transaction);
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ConversationException("No push token", $"Customer {stored.Thread.CustomerId} has no push token (trait pushToken); answer on another channel.");
        }

        await outbox.EnqueueAsync(unit, new OutgoingMessage(
            $"conversation-{stored.Message.Id}", stored.Thread.CustomerId, ConversationChannels.Push, MessagePurpose.Service, null, token,
            "", stored.Message.Body, null));
    }
}
