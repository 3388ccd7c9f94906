namespace Rapport.Core.Journeys;

/// <summary>One round of everything that moves journeys: new events (enrol, exit on goal), the daily sweeps (birthdays, predictions), due timers.</summary>
public sealed class JourneyEngine(JourneyFeed feed, JourneySweeps sweeps, JourneyRunner runner)
{
    public JourneyRunner Runner => runner;

    public async Task<JourneyRound> RunOnceAsync(CancellationToken ct = default)
    {
        var events = await feed.RunAsync(ct);
        var swept = await sweeps.RunAsync(ct);
        var moved = await runner.RunDueAsync(ct);
        return new JourneyRound(events, swept, moved);
    }
}

/// <summary>What a round did: events acted on, customers enrolled by sweeps, enrolments moved.</summary>
public sealed record JourneyRound(int Events, int Swept, int Moved)
{
    public bool Idle => Events == 0 && Swept == 0 && Moved == 0;
}
