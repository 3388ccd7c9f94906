using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Keys;
using Rapport.Core.Recompute;

namespace Rapport.Http;

/// <summary>The full recomputation: value and needs side by side, then every segment (admin key).</summary>
internal static class RecomputeEndpoints
{
    public static void MapRecomputeEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Recompute");
        g.MapPost("/recompute", RecomputeAsync).WithSummary("Recompute every customer's value and needs (with a cluster refit), then every segment's members; replies when done");
        g.MapGet("/recompute", (FullRecompute recompute) => TypedResults.Ok(recompute.Progress)).WithSummary("Where the running (or last) full recomputation is");
    }

    // Not tied to the request: a client that stops waiting does not waste a recomputation half done.
    private static async Task<Results<Ok<FullRecomputeSummary>, ProblemHttpResult>> RecomputeAsync(FullRecompute recompute) =>
        await recompute.TryRunAsync(null, CancellationToken.None) is { } summary
            ? TypedResults.Ok(summary)
            : Problems.Conflict("A full recomputation is already running; follow it at GET /v1/recompute and read the results when it is done.");
}
