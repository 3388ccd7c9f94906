namespace Rapport.Core.Messaging;

/// <summary>
/// Asked by the dispatcher right before each send (not at enqueue: consent can be withdrawn
/// while a message waits). Null means go ahead; otherwise the outcome to record instead
/// (<see cref="DeliveryOutcome.Blocked"/> or <see cref="DeliveryOutcome.Deferred"/>). Every gate
/// registered in the container is asked, so no sender can skip one.
/// </summary>
public interface IContactGate
{
    ValueTask<DeliveryOutcome?> CheckAsync(ClaimedMessage message, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Called with each claimed round before its messages are checked, so a gate can read what
    /// it needs for all of them at once instead of per message. The decisions stay per message.
    /// </summary>
    ValueTask PrepareAsync(IReadOnlyList<ClaimedMessage> round, DateTimeOffset now, CancellationToken ct) => ValueTask.CompletedTask;
}

/// <summary>Marketing never goes to an address that unsubscribed or hard-bounced; service messages still do, except to hard bounces (an email address, number or push token that does not exist).</summary>
/// <remarks>The suppression is read with the claim (one join per round, not a query per message).</remarks>
public sealed class SuppressionGate : IContactGate
{
    public ValueTask<DeliveryOutcome?> CheckAsync(ClaimedMessage message, DateTimeOffset now, CancellationToken ct)
    {
        // Any channel: an email address, a phone number or a push token lands here after a hard
        // bounce (or a provider's permanent "undelivered"); only email addresses are unsubscribed here.
        if (message.Suppressed is not { } reason)
        {
            return ValueTask.FromResult<DeliveryOutcome?>(null);
        }

        var bounced = reason.StartsWith("bounced", StringComparison.Ordinal);
        return ValueTask.FromResult<DeliveryOutcome?>(message.Purpose == MessagePurpose.Marketing || bounced
            ? new DeliveryOutcome.Blocked(message.Id, $"{message.Recipient} is suppressed ({reason})")
            : null);
    }
}

/// <summary>Delivers claimed messages of one channel (email over SMTP; later SMS and push webhooks).</summary>
public interface IMessageTransport
{
    string Channel { get; }

    /// <summary>How many sends may run at once.</summary>
    int Parallelism { get; }

    Task<DeliveryOutcome> SendAsync(ClaimedMessage message, CancellationToken ct);

    /// <summary>
    /// Sends a group of messages; the outcomes are in the messages' order. By default
    /// <see cref="Parallelism"/> sends at a time through <see cref="SendAsync"/>; a transport
    /// that can do better with the whole group at hand (SMTP: its own sender threads) overrides it.
    /// </summary>
    async Task<DeliveryOutcome[]> SendAllAsync(IReadOnlyList<ClaimedMessage> messages, CancellationToken ct)
    {
        var outcomes = new DeliveryOutcome[messages.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, messages.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, token) => outcomes[i] = await SendAsync(messages[i], token));
        return outcomes;
    }
}
