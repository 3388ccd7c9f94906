using Rapport.Core.Messaging;
using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>
/// A customer's answer to an SMS or push message we sent, as the provider reports it (status
/// "replied" on /v1/webhooks/{channel}/events): filed on that customer's thread on the message's
/// channel (the survivor's, if they were merged since), once per provider event id. The key is
/// the one inbound SMS uses ("sms:" + id), so a provider that reports the same text both ways
/// stores it once.
/// </summary>
public sealed class ProviderReplies(ConversationService conversations, IDatabase database)
{
    /// <summary>The reply stored before under this provider event id (a retried webhook), or null.</summary>
    public Task<AppendResult?> StoredAsync(string channel, ProviderReport reply, CancellationToken ct = default) =>
        ConversationQueries.StoredByKeyAsync(database, Key(channel, reply), ct);

    /// <summary>The thread to file into, opened first so the caller can route it to the customer's manager; null when the customer is gone (erased).</summary>
    public Task<ConversationThread?> ThreadAsync(OutboxEntry answered, CancellationToken ct = default) =>
        conversations.OpenThreadAsync(answered.CustomerId, answered.Channel, ct);

    public async Task<AppendResult> FileAsync(long threadId, OutboxEntry answered, ProviderReport reply, CancellationToken ct = default) =>
        (await conversations.AppendToThreadAsync(threadId, new NewMessage(
            Direction.In, answered.Channel, reply.Text!.Trim(), Key: Key(answered.Channel, reply), ProviderAt: reply.At), ct))!;

    private static string Key(string channel, ProviderReport reply) => channel + ":" + reply.EventId;
}
