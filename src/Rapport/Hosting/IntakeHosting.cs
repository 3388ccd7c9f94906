using Rapport.Core.Events.Intake;

namespace Rapport.Hosting;

/// <summary>When a collection request is answered (docs/ingestion.md).</summary>
internal enum IngestAcknowledge
{
    /// <summary>After the request's events are projected (identity, profile, orders...): read-your-writes. The default.</summary>
    Projected,

    /// <summary>As soon as the request is committed to the durable intake; the projector catches up behind it.</summary>
    Committed,
}

/// <summary>
/// Rapport:Ingest:Acknowledge (projected | committed, or `rapport serve --ingest-ack`) and
/// Rapport:Ingest:Projector (true | false: false leaves the intake to fill, for maintenance or to
/// hand the store to another node; accepted input is kept and projected once it is true again).
/// </summary>
internal sealed record IngestSettings(IngestAcknowledge Acknowledge, bool ProjectorRuns)
{
    public static IngestSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Rapport:Ingest");
        var ack = section["Acknowledge"] is { Length: > 0 } a ? ParseAcknowledge(a, "Rapport:Ingest:Acknowledge") : IngestAcknowledge.Projected;
        var runs = section["Projector"] is { Length: > 0 } p
            ? bool.TryParse(p, out var b) ? b : throw new ArgumentException($"Rapport:Ingest:Projector '{p}' must be true or false.")
            : true;
        return new IngestSettings(ack, runs);
    }

    public static IngestAcknowledge ParseAcknowledge(string text, string setting) => text.Trim().ToLowerInvariant() switch
    {
        "projected" => IngestAcknowledge.Projected,
        "committed" => IngestAcknowledge.Committed,
        _ => throw new ArgumentException($"{setting} '{text}' must be 'projected' (reply after the events are on the profile) or 'committed' (reply once they are durable in the intake)."),
    };
}

internal static class IntakeHosting
{
    /// <summary>The intake, its projector and the hosted loop that drives it.</summary>
    public static IServiceCollection AddIntake(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(IngestSettings.From(configuration));
        services.AddSingleton<EventIntake>();
        services.AddSingleton<IntakeProjector>();
        services.AddSingleton<Rapport.Http.Acceptor>();
        services.AddHostedService<IntakeProjectorService>();
        return services;
    }

    /// <summary>`rapport serve --ingest-ack`: the option wins over the setting. Call after <see cref="AddIntake"/>.</summary>
    public static IServiceCollection OverrideIngestAcknowledge(this IServiceCollection services, string? acknowledge)
    {
        if (acknowledge is not null)
        {
            var ack = IngestSettings.ParseAcknowledge(acknowledge, "--ingest-ack");
            services.AddSingleton(sp => IngestSettings.From(sp.GetRequiredService<IConfiguration>()) with { Acknowledge = ack });
        }

        return services;
    }
}

/// <summary>
/// Runs <see cref="IntakeProjector"/> whenever the intake has rows: woken by each append's
/// commit, and polling once a second so rows left by a previous process (a crash, a
/// restart, a change of mode) are projected after start-up without new traffic.
/// </summary>
internal sealed class IntakeProjectorService(
    IntakeProjector projector, EventIntake intake, IngestSettings settings, ILogger<IntakeProjectorService> log) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>The projector starts a group only after appends were quiet this long...</summary>
    public static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// ...or after giving way this long: under sustained overload profiles still move, at one
    /// group per this interval plus every quiet moment, and the backlog shows the lag.
    /// </summary>
    public static readonly TimeSpan MaxGiveWay = TimeSpan.FromSeconds(10);

    /// <summary>A group taken while appends still flow is this small, so an append waits for at most one short transaction.</summary>
    public const int BusyGroupEvents = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.ProjectorRuns)
        {
            log.LogWarning("Rapport:Ingest:Projector is false: accepted events wait in the intake and are not projected");
            return;
        }

        // Let the host finish starting before the first (possibly long) drain.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await GiveWayToAppendsAsync(stoppingToken);
                var size = intake.Busy(QuietWindow) ? BusyGroupEvents : projector.MaxEventsPerGroup;
                if (await projector.ProjectNextAsync(size, stoppingToken) > 0)
                {
                    continue;
                }

                await intake.WaitForAppendAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Projecting the intake failed; the rows are kept and retried in {Poll}", Poll);
                try
                {
                    // A back-off against a failing store: machine time, not the business clock.
                    await Task.Delay(Poll, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Appends and projection share the store's one writer; a projection group holds it for a
    /// while. Acceptance is the latency-sensitive side, so the projector waits for a quiet moment
    /// (machine time: this is scheduling, not business time).
    /// </summary>
    private async Task GiveWayToAppendsAsync(CancellationToken stoppingToken)
    {
        var since = System.Diagnostics.Stopwatch.GetTimestamp();
        while (intake.Busy(QuietWindow) && System.Diagnostics.Stopwatch.GetElapsedTime(since) < MaxGiveWay)
        {
            await Task.Delay(QuietWindow, stoppingToken);
        }
    }
}
