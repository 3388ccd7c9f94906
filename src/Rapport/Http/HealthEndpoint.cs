using Rapport.Core.Events.Intake;
using Rapport.Hosting;

namespace Rapport.Http;

/// <summary>
/// GET /health, open to all: "ok", plus the ingestion mode and the projection backlog (requests
/// and events accepted into the intake but not yet on profiles, and the oldest one's age), so
/// lag in committed mode is visible to a load balancer or an operator.
/// </summary>
internal static class HealthEndpoint
{
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (EventIntake intake, IngestSettings settings, TimeProvider clock, CancellationToken ct) =>
        {
            var backlog = await intake.BacklogAsync(ct);
            return TypedResults.Ok(new HealthReply("ok", IngestStatus.Of(backlog, settings, clock)));
        }).WithTags("Health");
}

internal sealed record HealthReply(string Status, IngestStatus Ingest);

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
}
