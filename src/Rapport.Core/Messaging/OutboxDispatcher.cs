namespace Rapport.Core.Messaging;

/// <summary>
/// One round of sending: claim due messages of a channel, ask every contact gate, send the
/// rest in parallel through the transport, record all outcomes in one transaction. The hosted
/// service (src/Rapport/Hosting/OutboxService) calls this in a loop; tests call it directly.
/// </summary>
public sealed class OutboxDispatcher(Outbox outbox, IEnumerable<IContactGate> gates, MessagingOptions options, TimeProvider clock)
{
    private readonly IContactGate[] _gates = gates.ToArray();

    /// <returns>How many messages were claimed (0: nothing was due).</returns>
    public async Task<int> RunOnceAsync(IMessageTransport transport, CancellationToken ct = default)
    {
        var claimed = await outbox.ClaimAsync(transport.Channel, options.BatchSize, options.Lease, ct);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var outcomes = new (ClaimedMessage, DeliveryOutcome)[claimed.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, claimed.Count),
            new ParallelOptions { MaxDegreeOfParallelism = transport.Parallelism, CancellationToken = ct },
            async (i, token) =>
            {
                var m = claimed[i];
                outcomes[i] = (m, await GateAsync(m, token) ?? await transport.SendAsync(m, token));
            });
        await outbox.CompleteAsync(outcomes, options.Retry, ct);
        return claimed.Count;
    }

    private async ValueTask<DeliveryOutcome?> GateAsync(ClaimedMessage m, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var gate in _gates)
        {
            if (await gate.CheckAsync(m, now, ct) is { } stop)
            {
                return stop;
            }
        }

        return null;
    }
}
