using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Conversations;

/// <summary>
/// A staff answer on the email channel goes out through the outbox (service purpose: an answer
/// to someone who wrote to us), enqueued in the answer's own transaction. The subject carries
/// the thread's reply token, so the customer's next reply finds the thread again. The answer's
/// files go as MIME parts (<see cref="ConversationEmailParts"/>, read when the email is sent).
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

/// <summary>The files of a conversation answer (outbox key "conversation-{messageId}") for its email.</summary>
public sealed class ConversationEmailParts(IDatabase database) : IEmailParts
{
    private const string KeyPrefix = "conversation-";

    public async Task<IReadOnlyList<EmailPart>> ForAsync(ClaimedMessage message, CancellationToken ct)
    {
        if (!message.Key.StartsWith(KeyPrefix, StringComparison.Ordinal)
            || !long.TryParse(message.Key.AsSpan(KeyPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var messageId))
        {
            return []; // not a conversation answer: no query, so bulk email pays nothing for this
        }

        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<EmailPart>(new CommandDefinition(
            "SELECT file_name AS FileName, content_type AS ContentType, content AS Content FROM conversation_attachments WHERE message_id = @messageId ORDER BY id",
            new { messageId }, cancellationToken: ct))).ToList();
    }
}
