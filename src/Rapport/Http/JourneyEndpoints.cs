using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Journeys;
using Rapport.Core.Keys;
using Rapport.Engine.Journeys;

namespace Rapport.Http;

/// <summary>
/// Journeys (admin key): create and validate definitions (400 problems listing each mistake with
/// its path and step), versions, pause/activate, enrolments with their steps, per-journey stats
/// (treated against control), the ready-made library, open tasks, and a round on demand.
/// </summary>
internal static class JourneyEndpoints
{
    public const int MaxPage = 500;

    public static void MapJourneyEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/journeys").RequireKey(KeyKind.Admin).WithTags("Journeys");
        g.MapPost("/", CreateAsync).WithSummary("Save a journey (?status=active to start it at once; a draft otherwise)");
        g.MapPost("/validate", ValidateAsync).WithSummary("Check a definition against the templates and segments that exist, without saving it");
        g.MapGet("/", async (JourneyStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct))).WithSummary("Every journey");
        g.MapGet("/{id:long}", GetAsync).WithSummary("One journey, its current definition and version");
        g.MapPut("/{id:long}", ReplaceAsync).WithSummary("Save a new version (customers already in the journey finish the version they entered)");
        g.MapPost("/{id:long}/activate", (long id, JourneyStore store, CancellationToken ct) => StatusAsync(id, JourneyStatus.Active, store, ct)).WithSummary("Start enrolling and moving customers");
        g.MapPost("/{id:long}/pause", (long id, JourneyStore store, CancellationToken ct) => StatusAsync(id, JourneyStatus.Paused, store, ct)).WithSummary("Stop enrolling and hold every enrolment where it is");
        g.MapGet("/{id:long}/enrolments", EnrolmentsAsync).WithSummary("Enrolments, oldest first (?status=active|completed|converted, ?customer=, ?after= the last id seen, ?limit=)");
        g.MapGet("/{id:long}/enrolments/{enrolment:long}/steps", StepsAsync).WithSummary("Every step an enrolment took and what it did");
        g.MapGet("/{id:long}/stats", StatsAsync).WithSummary("Treated and control counts, steps by outcome, and the conversion uplift with a 95% interval");
        g.MapGet("/library", () => TypedResults.Ok(JourneyLibrary.All.Select(j => new { j.Key, j.Name, j.Description, Templates = j.Templates.Select(t => t.Key) })))
            .WithSummary("The ready-made journeys");
        g.MapPost("/library/{key}", InstallAsync).WithSummary("Install a ready-made journey and its templates (?activate=true to start it)");
        g.MapGet("/tasks", async (JourneyQueries q, CancellationToken ct, string? status, int? limit) => TypedResults.Ok(await q.TasksAsync(status, Math.Clamp(limit ?? 100, 1, MaxPage), ct)))
            .WithSummary("Tasks journeys created for account managers, newest first");
        g.MapPost("/run", async (JourneyEngine engine, CancellationToken ct) => TypedResults.Ok(await engine.RunOnceAsync(ct)))
            .WithSummary("Run a round now (the background loop runs one every second)");
    }

    private static async Task<Results<Created<JourneyView>, ProblemHttpResult>> CreateAsync(JsonObject? body, JourneyStore store, CancellationToken ct, string? status)
    {
        if (body is null)
        {
            return Problems.BadRequest("No definition", "Send the journey as a JSON object: {\"name\": ..., \"trigger\": ..., \"steps\": [...]} (docs/journeys.md).");
        }

        if (status is not (null or JourneyStatus.Draft or JourneyStatus.Active))
        {
            return Problems.BadRequest("Unknown status", $"?status= is draft (the default) or active, not '{status}'.");
        }

        try
        {
            return await store.CreateAsync(body, status ?? JourneyStatus.Draft, ct) is { } id
                ? TypedResults.Created($"/v1/journeys/{id}", await store.GetAsync(id, ct))
                : Problems.Conflict($"A journey named '{body["name"]}' exists already; pick another name or PUT /v1/journeys/{{id}} to change it.");
        }
        catch (JourneyValidationException e)
        {
            return Invalid(e.Errors);
        }
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ValidateAsync(JsonObject? body, JourneyStore store, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("No definition", "Send the journey as a JSON object (docs/journeys.md).");
        }

        var (journey, errors) = await store.ValidateAsync(body, ct);
        return journey is null
            ? Invalid(errors)
            : TypedResults.Ok(new JsonObject { ["valid"] = true, ["name"] = journey.Name, ["steps"] = journey.Steps.Count });
    }

    private static async Task<Results<Ok<JourneyView>, ProblemHttpResult>> GetAsync(long id, JourneyStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } j ? TypedResults.Ok(j) : NoJourney(id);

    private static async Task<Results<Ok<JourneyView>, ProblemHttpResult>> ReplaceAsync(long id, JsonObject? body, JourneyStore store, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("No definition", "Send the journey as a JSON object (docs/journeys.md).");
        }

        try
        {
            return await store.ReplaceAsync(id, body, ct) switch
            {
                null => NoJourney(id),
                false => Problems.Conflict($"Another journey is named '{body["name"]}'."),
                true => TypedResults.Ok((await store.GetAsync(id, ct))!),
            };
        }
        catch (JourneyValidationException e)
        {
            return Invalid(e.Errors);
        }
    }

    private static async Task<Results<Ok<JourneyView>, ProblemHttpResult>> StatusAsync(long id, string status, JourneyStore store, CancellationToken ct) =>
        await store.SetStatusAsync(id, status, ct) ? TypedResults.Ok((await store.GetAsync(id, ct))!) : NoJourney(id);

    private static async Task<Results<Ok<IReadOnlyList<EnrolmentView>>, ProblemHttpResult>> EnrolmentsAsync(
        long id, JourneyStore store, JourneyQueries queries, CancellationToken ct, string? status, long? customer, long? after, int? limit)
    {
        if (status is not null && !EnrolmentStatus.All.Contains(status))
        {
            return Problems.BadRequest("Unknown status", $"?status= is one of {string.Join(", ", EnrolmentStatus.All)}, not '{status}'.");
        }

        if (await store.GetAsync(id, ct) is null)
        {
            return NoJourney(id);
        }

        return TypedResults.Ok(await queries.EnrolmentsAsync(id, status, customer, after, Math.Clamp(limit ?? 100, 1, MaxPage), ct));
    }

    private static async Task<Results<Ok<IReadOnlyList<StepView>>, ProblemHttpResult>> StepsAsync(long id, long enrolment, JourneyQueries queries, CancellationToken ct)
    {
        var found = await queries.EnrolmentsAsync(id, null, null, enrolment - 1, 1, ct);
        return found.Count == 1 && found[0].Id == enrolment
            ? TypedResults.Ok(await queries.StepsAsync(enrolment, ct))
            : Problems.NotFound($"Journey {id} has no enrolment {enrolment}; list them with GET /v1/journeys/{id}/enrolments.");
    }

    private static async Task<Results<Ok<JourneyStats>, ProblemHttpResult>> StatsAsync(long id, JourneyStore store, JourneyQueries queries, CancellationToken ct) =>
        await store.GetAsync(id, ct) is null ? NoJourney(id) : TypedResults.Ok(await queries.StatsAsync(id, ct));

    private static async Task<Results<Created<JourneyView>, Ok<JourneyView>, ProblemHttpResult>> InstallAsync(
        string key, JourneyLibrary library, JourneyStore store, CancellationToken ct, bool? activate)
    {
        if (await library.InstallAsync(key, activate ?? false, ct) is not { Id: { } id } installed)
        {
            return Problems.NotFound($"There is no ready-made journey '{key}'; the library has {string.Join(", ", JourneyLibrary.All.Select(j => j.Key))}.");
        }

        var view = (await store.GetAsync(id, ct))!;
        return installed.Created ? TypedResults.Created($"/v1/journeys/{id}", view) : TypedResults.Ok(view);
    }

    private static ProblemHttpResult Invalid(IReadOnlyList<JourneyError> errors) =>
        Problems.BadRequest(
            "Invalid journey",
            errors.Count == 1 ? errors[0].ToString() : $"{errors.Count} mistakes; the first: {errors[0]}",
            errors.Select(e => new { path = e.Path, step = e.Step, message = e.Message }).ToList());

    private static ProblemHttpResult NoJourney(long id) => Problems.NotFound($"There is no journey {id}; GET /v1/journeys lists them.");
}
