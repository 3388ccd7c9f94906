using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Customers;
using Rapport.Core.Keys;
using Rapport.Core.Needs;
using Rapport.Engine.Needs;

namespace Rapport.Http;

/// <summary>Customer needs, the needs-based clusters and the bulk recomputation (admin key).</summary>
internal static class NeedsEndpoints
{
    public static void MapNeedsEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Needs");
        g.MapGet("/customers/{id:long}/needs", GetAsync).WithSummary("A customer's needs: category affinity, price sensitivity, channels, purchase cadence, stated preferences, cluster");
        g.MapGet("/needs/clusters", ClustersAsync).WithSummary("The current needs-based clusters with their labels and sizes");
        g.MapPost("/needs/recompute", RecomputeAsync).WithSummary("Recompute every customer's needs, then refit the clusters (refit=false skips it; k=2..20 or auto)");
        g.MapGet("/needs/recompute", ProgressAsync).WithSummary("Where the running (or last) needs recomputation is");
    }

    private static async Task<Results<Ok<CustomerNeedsView>, ProblemHttpResult>> GetAsync(long id, CustomerQueries customers, NeedsQueries q, CancellationToken ct) =>
        await customers.GetAsync(id, ct) is null
            ? Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.")
            : TypedResults.Ok(await q.GetAsync(id, ct));

    private static async Task<Ok<NeedsClustersReply>> ClustersAsync(NeedsQueries q, CancellationToken ct) => TypedResults.Ok(await q.ClustersAsync(ct));

    private static Ok<NeedsProgress> ProgressAsync(NeedsRecompute recompute) => TypedResults.Ok(recompute.Progress);

    // The bulk work is not tied to the request: a client that stops waiting does not waste a
    // recomputation half done.
    private static async Task<Results<Ok<NeedsRecomputeSummary>, ProblemHttpResult>> RecomputeAsync(
        NeedsRecompute recompute, string? refit, string? k, string? seed)
    {
        if (Parse(refit, k, seed, out var request) is { } problem)
        {
            return Problems.BadRequest("Bad recompute request", problem);
        }

        return await recompute.TryRunAsync(request, null, CancellationToken.None) is { } summary
            ? TypedResults.Ok(summary)
            : Problems.Conflict("A needs recomputation is already running; follow it at GET /v1/needs/recompute and read the needs when it is done.");
    }

    /// <summary>Query strings are read by hand so a bad value gets a sentence, not a bare 400.</summary>
    internal static string? Parse(string? refit, string? k, string? seed, out NeedsRecomputeRequest request)
    {
        request = new NeedsRecomputeRequest();
        if (refit is not null && !bool.TryParse(refit, out var r))
        {
            return $"refit '{refit}' must be true or false (default true: refit the clusters after recomputing needs).";
        }

        int? clusters = null;
        if (k is not null && !k.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return $"k '{k}' must be a whole number of clusters between {NeedsClustering.MinK} and 20, or auto.";
            }

            clusters = n;
        }

        if (NeedsOptions.ValidateClusters(clusters) is { } bad)
        {
            return $"k: {bad}.";
        }

        int? s = null;
        if (seed is not null)
        {
            if (!int.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return $"seed '{seed}' must be a whole number (the same seed gives the same clusters).";
            }

            s = parsed;
        }

        request = new NeedsRecomputeRequest(refit is null || bool.Parse(refit), clusters, s);
        return null;
    }
}
