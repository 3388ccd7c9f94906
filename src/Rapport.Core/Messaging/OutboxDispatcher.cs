namespace Rapport.Core.Messaging;

/// <summary>
/// One round of sending: claim due messages of a channel, ask every contact gate, send the
/// rest in parallel through the transport, and record the outcomes. The round goes in groups
/// of <see cref="RecordGroup"/>: while one group is on the wire the previous group's outcomes
/// are recorded (one transaction per group), so the single writer's work overlaps with the
/// transport instead of following it, and a transaction still carries many outcomes. A message
/// whose outcome is not recorded (the process died) is claimed again when its lease runs out,
/// as before. The hosted service (src/Rapport/Hosting/OutboxService) calls this in a loop;
/// tests call it directly.
/// </summary>
public sealed class OutboxDispatcher(Outbox outbox, IEnumerable<IContactGate> gates, MessagingOptions options, TimeProvider clock)
{
    /// <summary>Outcomes per recording transaction; a round of 500 is five groups.</summary>
    public const int RecordGroup = 100;

    private readonly IContactGate[] _gates = gates.ToArray();

    /// <returns>How many messages were claimed (0: nothing was due).</returns>
    public async Task<int> RunOnceAsync(IMessageTransport transport, CancellationToken ct = default)
    {
        var claimed = await outbox.ClaimAsync(transport.Channel, options.BatchSize, options.Lease, ct);
        if (claimed.Count == 0)
        {
            return 0;
        }

        foreach (var gate in _gates)
        {
            await gate.PrepareAsync(claimed, clock.GetUtcNow(), ct);
        }

        var recording = Task.CompletedTask;
        try
        {
            foreach (var group in claimed.Chunk(RecordGroup))
            {
                var outcomes = new (ClaimedMessage, DeliveryOutcome)[group.Length];
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, group.Length),
                    new ParallelOptions { MaxDegreeOfParallelism = transport.Parallelism, CancellationToken = ct },
                    async (i, token) => outcomes[i] = (group[i], await GateAsync(group[i], token) ?? await transport.SendAsync(group[i], token)));
                await recording;
                recording = outbox.CompleteAsync(outcomes, options.Retry, ct);
            }
        }
        finally
        {
            // What was sent before a failure is still recorded; the rest waits for its lease.
            await recording;
        }

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
