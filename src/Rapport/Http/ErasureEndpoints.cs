using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Erasure;
using Rapport.Core.Keys;
using Rapport.Core.Preferences;

namespace Rapport.Http;

/// <summary>Staff carry out a customer's erasure request (admin key); the list is in <see cref="PreferenceEndpoints"/>.</summary>
internal static class ErasureEndpoints
{
    public static void MapErasureEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/erasure-requests").RequireKey(KeyKind.Admin).WithTags("Preferences");
        g.MapGet("/{id}", GetAsync).WithSummary("One erasure request");
        g.MapPost("/{id}/execute", ExecuteAsync)
            .WithSummary("Carry out an erasure request: anonymise the customer (docs/erasure.md); returns the rows changed per table. Again on a completed request: nothing changes.");
    }

    /// <summary>Parses a request id as the API and the CLI take it; the problem's text otherwise.</summary>
    public static string? ParseId(string text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0
            ? null
            : $"'{text}' is not an erasure request id: use the whole number from GET /v1/erasure-requests?status=pending.";

    private static async Task<Results<Ok<ErasureRequest>, ProblemHttpResult>> GetAsync(string id, ErasureRequests requests, CancellationToken ct)
    {
        if (ParseId(id, out var requestId) is { } problem)
        {
            return Problems.BadRequest("Bad request id", problem);
        }

        return await requests.GetAsync(requestId, ct) is { } request ? TypedResults.Ok(request) : Unknown(requestId);
    }

    private static async Task<Results<Ok<ErasureResult>, ProblemHttpResult>> ExecuteAsync(string id, ErasureExecutor executor, CancellationToken ct)
    {
        if (ParseId(id, out var requestId) is { } problem)
        {
            return Problems.BadRequest("Bad request id", problem);
        }

        return await executor.ExecuteAsync(requestId, "api", ct) is { } result ? TypedResults.Ok(result) : Unknown(requestId);
    }

    private static ProblemHttpResult Unknown(long id) =>
        Problems.NotFound($"There is no erasure request {id}; list them with GET /v1/erasure-requests.");
}
