using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Consent;
using Rapport.Core.Loyalty;
using Rapport.Engine.Loyalty;

namespace Rapport.Http;

/// <summary>Surprise-and-delight programmes, runs, their measured effect, and staff tasks (mapped inside the loyalty group: admin key).</summary>
internal static class SurpriseEndpoints
{
    public const int MaxEffectDays = 730;

    public static void MapSurpriseEndpoints(this RouteGroupBuilder g)
    {
        g.MapPost("/surprises", AddAsync).WithSummary("Create a surprise-and-delight programme: budget, eligibility, spacing, gift, control group");
        g.MapGet("/surprises", async (SurprisePrograms p, CancellationToken ct) => TypedResults.Ok(await p.ListAsync(ct)))
            .WithSummary("Programmes with what they spent and the budget left");
        g.MapGet("/surprises/{sid:long}", async Task<Results<Ok<SurpriseProgramView>, ProblemHttpResult>> (long sid, SurprisePrograms p, CancellationToken ct) =>
                await p.GetAsync(sid, ct) is { } v ? TypedResults.Ok(v) : NoProgram(sid))
            .WithSummary("One programme");
        g.MapPut("/surprises/{sid:long}", ReplaceAsync).WithSummary("Replace a programme's definition (gifts already given stay)");
        g.MapPost("/surprises/{sid:long}/run", async Task<Results<Ok<SurpriseRun>, ProblemHttpResult>> (long sid, SurpriseRunner r, CancellationToken ct) =>
                await r.RunAsync(sid, ct) is { } run ? TypedResults.Ok(run) : NoProgram(sid))
            .WithSummary("Run now: choose recipients within budget and spacing, hold out the control group, give the gifts");
        g.MapGet("/surprises/{sid:long}/effect", EffectAsync)
            .WithSummary("Treated vs control: repeat purchase within N days (with a 95% interval) and spend per customer");
        g.MapGet("/tasks", async (SurpriseEffects e, CancellationToken ct, string? status) => TypedResults.Ok(await e.TasksAsync(status, ct)))
            .WithSummary("Staff tasks such as handwritten notes (status=open or done)");
        g.MapPost("/tasks/{tid:long}/done", async Task<Results<NoContent, ProblemHttpResult>> (long tid, SurpriseEffects e, CancellationToken ct) =>
                await e.CompleteTaskAsync(tid, ct) ? TypedResults.NoContent() : Problems.NotFound($"There is no task {tid}; list them at /v1/tasks?status=open."))
            .WithSummary("Mark a task done");
    }

    private static async Task<Results<Created<SurpriseProgramView>, ProblemHttpResult>> AddAsync(SurpriseProgram? body, SurprisePrograms programs, CancellationToken ct)
    {
        if (Problem(body) is { } problem)
        {
            return problem;
        }

        var view = await programs.AddAsync(body!, ct);
        return TypedResults.Created($"/v1/surprises/{view.Id}", view);
    }

    private static async Task<Results<Ok<SurpriseProgramView>, ProblemHttpResult>> ReplaceAsync(long sid, SurpriseProgram? body, SurprisePrograms programs, CancellationToken ct)
    {
        if (Problem(body) is { } problem)
        {
            return problem;
        }

        return await programs.ReplaceAsync(sid, body!, ct) is { } view ? TypedResults.Ok(view) : NoProgram(sid);
    }

    private static async Task<Results<Ok<SurpriseEffect>, ProblemHttpResult>> EffectAsync(long sid, SurpriseEffects effects, CancellationToken ct, int? days)
    {
        if (days is < 1 or > MaxEffectDays)
        {
            return Problems.BadRequest("Bad days", $"days must be between 1 and {MaxEffectDays} (default 60): the window after each surprise in which a repeat purchase counts.");
        }

        return await effects.EffectAsync(sid, days ?? 60, ct) is { } effect ? TypedResults.Ok(effect) : NoProgram(sid);
    }

    private static ProblemHttpResult? Problem(SurpriseProgram? body)
    {
        if (body is null)
        {
            return Problems.BadRequest(
                "Programme required",
                "Send the programme as JSON, e.g. {\"name\": \"Notes for top customers\", \"budget\": 500, \"gift\": {\"kind\": \"note\", \"cost\": 5}, \"eligibility\": {\"valueTiers\": [\"top\"]}}.");
        }

        return body.Validate(ConsentVocabulary.IsPurpose, ConsentVocabulary.IsChannel) is { Count: > 0 } errors
            ? Problems.BadRequest("Bad surprise programme", string.Join(" ", errors), errors)
            : null;
    }

    private static ProblemHttpResult NoProgram(long sid) => Problems.NotFound($"There is no surprise programme {sid}; list them at /v1/surprises.");
}
