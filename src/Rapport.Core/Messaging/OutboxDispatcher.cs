using System.Threading.Channels;

namespace Rapport.Core.Messaging;

/// <summary>
/// One round of sending: claim due messages of a channel, ask every contact gate, send the
/// rest in parallel through the transport, and record the outcomes. Outcomes are recorded in
/// groups while the rest of the round is still being sent (each group in one transaction of its
/// own, as many as finished since the last one), so the single writer's work overlaps with the
/// transport instead of following it. A message whose outcome is not recorded (the process died)
/// is claimed again when its lease runs out, as before. The hosted service
/// (src/Rapport/Hosting/OutboxService) calls this in a loop; tests call it directly.
/// </summary>
public sealed class OutboxDispatcher(Outbox outbox, IEnumerable<IContactGate> gates, MessagingOptions options, TimeProvider clock)
{
    /// <summary>The most outcomes one recording transaction takes: keeps a transaction short while sends go on.</summary>
    public const int RecordGroup = 500;

    private readonly IContactGate[] _gates = gates.ToArray();

    /// <returns>How many messages were claimed (0: nothing was due).</returns>
    public async Task<int> RunOnceAsync(IMessageTransport transport, CancellationToken ct = default)
    {
        var claimed = await outbox.ClaimAsync(transport.Channel, options.BatchSize, options.Lease, ct);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var done = Channel.CreateUnbounded<(ClaimedMessage, DeliveryOutcome)>(new UnboundedChannelOptions { SingleReader = true });
        var recorder = RecordAsync(done.Reader, ct);
        try
        {
            await Parallel.ForEachAsync(
                claimed,
                new ParallelOptions { MaxDegreeOfParallelism = transport.Parallelism, CancellationToken = ct },
                async (m, token) => done.Writer.TryWrite((m, await GateAsync(m, token) ?? await transport.SendAsync(m, token))));
        }
        finally
        {
            // Whatever was sent before a failure is still recorded; the rest waits for its lease.
            done.Writer.Complete();
            await recorder;
        }

        return claimed.Count;
    }

    private async Task RecordAsync(ChannelReader<(ClaimedMessage, DeliveryOutcome)> finished, CancellationToken ct)
    {
        var group = new List<(ClaimedMessage, DeliveryOutcome)>(RecordGroup);
        while (await finished.WaitToReadAsync(ct))
        {
            while (group.Count < RecordGroup && finished.TryRead(out var outcome))
            {
                group.Add(outcome);
            }

            await outbox.CompleteAsync(group.ToArray(), options.Retry, ct);
            group.Clear();
        }
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
