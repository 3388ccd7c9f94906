namespace Rapport.Core.Messaging;

/// <summary>
/// One round of sending: claim due messages of a channel, ask every contact gate, send the
/// rest through the transport (<see cref="IMessageTransport.SendAllAsync"/>, a group at a time),
/// and record the outcomes. The round goes in groups
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
                // Every gate decides first (from the facts read for the round), then the transport sends the rest as one group.
                var outcomes = new (ClaimedMessage, DeliveryOutcome)[group.Length];
                var send = new List<ClaimedMessage>(group.Length);
                var slots = new List<int>(group.Length);
                for (var i = 0; i < group.Length; i++)
                {
                    if (await GateAsync(group[i], ct) is { } stop)
                    {
                        outcomes[i] = (group[i], stop);
                    }
                    else
                    {
                        send.Add(group[i]);
                        slots.Add(i);
                    }
                }

                var sent = await transport.SendAllAsync(send, ct);
                for (var j = 0; j < send.Count; j++)
                {
                    outcomes[slots[j]] = (send[j], sent[j]);
                }

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
