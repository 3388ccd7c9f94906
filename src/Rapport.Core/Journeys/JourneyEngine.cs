namespace Rapport.Core.Journeys;

/// <summary>
/// One round of everything that moves journeys: new events (enrol, exit on goal), the daily
/// sweeps (birthdays, predictions), due timers. Rounds in one process take turns (the host's
/// loop and POST /v1/journeys/run); rounds of two processes are safe too, only wasteful
/// (enrolments are unique per occurrence, advances are guarded, the outbox is keyed).
/// </summary>
public sealed class JourneyEngine(JourneyFeed feed, JourneySweeps sweeps, JourneyRunner runner) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public JourneyRunner Runner => runner;

    public async Task<JourneyRound> RunOnceAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var events = await feed.RunAsync(ct);
            var swept = await sweeps.RunAsync(ct);
            var moved = await runner.RunDueAsync(ct);
            return new JourneyRound(events, swept, moved);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>What a round did: events acted on, customers enrolled by sweeps, enrolments moved.</summary>
public sealed record JourneyRound(int Events, int Swept, int Moved)
{
    public bool Idle => Events == 0 && Swept == 0 && Moved == 0;
}
