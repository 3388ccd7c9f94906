using Rapport.Core.Events.Intake;
using Rapport.Hosting;

namespace Rapport.Http;

/// <summary>
/// GET /health, open to all: "ok", plus the ingestion mode and the projection backlog (requests
/// and events accepted into the intake but not yet on profiles, and the oldest one's age), so
/// lag in committed mode is visible to a load balancer or an operator. GET /health/live, open to
/// all, answers {"status":"ok"} without touching the store: a liveness probe, and the trivial
/// baseline load runs compare the serving endpoints with (issue 4: "the ratio to a trivial
/// endpoint"), since /health reads the intake's backlog on every request.
/// </summary>
internal static class HealthEndpoint
{
    private static readonly LiveReply Live = new("ok");

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async (EventIntake intake, IngestSettings settings, TimeProvider clock, CancellationToken ct) =>
        {
            var backlog = await intake.BacklogAsync(ct);
            return TypedResults.Ok(new HealthReply("ok", IngestStatus.Of(backlog, settings, clock)));
        }).WithTags("Health");
        app.MapGet("/health/live", static () => TypedResults.Ok(Live)).WithTags("Health").WithSummary("The process answers HTTP; reads nothing");
    }
}

internal sealed record HealthReply(string Status, IngestStatus Ingest);

internal sealed record LiveReply(string Status);

/// <param name="Acknowledge">projected or committed.</param>
/// <param name="BacklogEvents">Accepted events waiting for the projector.</param>
/// <param name="OldestAgeSeconds">How long the oldest waiting request has waited; null when none waits.</param>
/// <param name="FailedRequests">Intake rows the projector set aside (see docs/ingestion.md).</param>
internal sealed record IngestStatus(string Acknowledge, bool ProjectorRuns, long BacklogRequests, long BacklogEvents, double? OldestAgeSeconds, long FailedRequests)
{
    public static IngestStatus Of(IntakeBacklog backlog, IngestSettings settings, TimeProvider clock) => new(
        settings.Acknowledge.ToString().ToLowerInvariant(),
        settings.ProjectorRuns,
        backlog.Requests,
        backlog.Events,
        backlog.OldestReceivedAt is { } oldest ? Math.Max(0, Math.Round((clock.GetUtcNow() - oldest).TotalSeconds, 3)) : null,
        backlog.FailedRequests);

    /// <summary>One sentence for people (status page, dashboard Settings).</summary>
    public static async Task<string> DescribeAsync(IServiceProvider services, CancellationToken ct)
    {
        var settings = services.GetRequiredService<IngestSettings>();
        var status = Of(await services.GetRequiredService<EventIntake>().BacklogAsync(ct), settings, services.GetRequiredService<TimeProvider>());
        var mode = settings.Acknowledge == IngestAcknowledge.Committed
            ? "Collection replies once events are committed to the intake (Rapport__Ingest__Acknowledge=committed); profiles follow moments later."
            : "Collection replies once events are on the profile (Rapport__Ingest__Acknowledge=projected).";
        var backlog = status.BacklogEvents == 0
            ? " Nothing waits for projection."
            : $" {status.BacklogEvents:N0} events in {status.BacklogRequests:N0} requests wait for projection; the oldest for {status.OldestAgeSeconds:N0} s.";
        var stopped = settings.ProjectorRuns ? "" : " The projector is stopped (Rapport__Ingest__Projector=false).";
        var failed = status.FailedRequests == 0 ? "" : $" {status.FailedRequests:N0} requests could not be projected and are kept in event_intake (see docs/ingestion.md).";
        return mode + backlog + stopped + failed;
    }
}
