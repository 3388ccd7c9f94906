using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Conversations;

/// <summary>
/// A staff answer on the email channel goes out through the outbox (service purpose: an answer
/// to someone who wrote to us), enqueued in the answer's own transaction. The subject carries
/// the thread's reply token, so the customer's next reply finds the thread again.
/// </summary>
public sealed class EmailDelivery(Outbox outbox) : IConversationDelivery
{
    public async Task DeliverAsync(UnitOfWork unit, AppendResult stored)
    {
        if (stored.Message.Channel != ConversationChannels.Email)
        {
            return;
        }

        var email = await NewestIdentifier.OfAsync(unit.Connection, unit.Transaction, stored.Thread.CustomerId, Identifier.Email);
        if (email is null)
        {
            throw new ConversationException("No email address", $"Customer {stored.Thread.CustomerId} has no email address to answer to; answer on another channel or add their email with an identify call.");
        }

        await outbox.EnqueueAsync(unit, new OutgoingMessage(
            $"conversation-{stored.Message.Id}", stored.Thread.CustomerId, "email", "service", null, email,
            ReplyTokens.Subject(stored.Thread.Subject, stored.Thread.Token), stored.Message.Body, null));
    }
}
