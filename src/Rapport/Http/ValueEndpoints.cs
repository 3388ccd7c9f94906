using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Rapport.Core.Keys;
using Rapport.Core.Value;

namespace Rapport.Http;

/// <summary>Customer value, costs, the Pareto position, the bulk recomputation and CLV models (admin key).</summary>
internal static class ValueEndpoints
{
    public static void MapValueEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Value");
        g.MapGet("/customers/{id:long}/value", GetValueAsync).WithSummary("A customer's value (revenue, margin, RFM, tier, percentiles) and current CLV prediction");
        g.MapPost("/customers/{id:long}/costs", RecordCostAsync).WithSummary("Record a reward or service cost against a customer; it comes off their margin");
        g.MapGet("/analytics/pareto", ParetoAsync).WithSummary("Share of net revenue and margin from the top customers, with the curves");
        g.MapPost("/value/recompute", RecomputeAsync).WithSummary("Recompute RFM scores, percentiles and tiers for every customer (rebuild=true also re-adds every order)");
        g.MapGet("/models/clv", ModelsAsync).WithSummary("CLV model versions, newest first, with parameters and log-likelihood");
        g.MapPost("/models/clv/fit", FitAsync).WithSummary("Fit a new CLV model version on every customer's sales and write their predictions");
    }

    private static async Task<Results<Ok<CustomerValueReply>, ProblemHttpResult>> GetValueAsync(long id, ValueQueries q, CancellationToken ct) =>
        await q.GetAsync(id, ct) is { } reply ? TypedResults.Ok(reply) : NoCustomer(id);

    private static async Task<Results<Created<CostRecorded>, Ok<CostRecorded>, ProblemHttpResult>> RecordCostAsync(
        long id, CostBody body, CustomerCosts costs, CancellationToken ct)
    {
        if (CustomerCosts.Validate(body.Kind, body.Amount, body.Reference) is { } problem)
        {
            return Problems.BadRequest("Bad cost", problem);
        }

        var recorded = await costs.RecordAsync(id, body.Kind!, body.Amount!.Value, body.At, body.Reference, body.Note, ct);
        return recorded switch
        {
            null => NoCustomer(id),
            { Duplicate: true } => TypedResults.Ok(recorded),
            _ => TypedResults.Created($"/v1/customers/{recorded.Entry.CustomerId}/value", recorded),
        };
    }

    private static async Task<Results<Ok<ParetoReply>, ProblemHttpResult>> ParetoAsync(
        ValueQueries q, ValueOptions options, CancellationToken ct, double? top, int? points)
    {
        if (top is { } t && !(t is > 0 and < 1))
        {
            return Problems.BadRequest("Bad top", $"top {t} must be a share of customers between 0 and 1, e.g. 0.2 for the top 20% (the default is {options.ParetoTop}).");
        }

        if (points is < 2 or > 1001)
        {
            return Problems.BadRequest("Bad points", $"points {points} must be between 2 and 1001 (the default 21 gives every 5%).");
        }

        return TypedResults.Ok(await q.ParetoAsync(top ?? options.ParetoTop, points ?? 21, ct));
    }

    // The bulk work is not tied to the request: a client that stops waiting does not waste a
    // recomputation or a fit half done.
    private static async Task<Results<Ok<ValueRecomputeSummary>, ProblemHttpResult>> RecomputeAsync(ValueRecompute recompute, bool? rebuild) =>
        await recompute.TryRunAsync(rebuild ?? false, null, CancellationToken.None) is { } summary
            ? TypedResults.Ok(summary)
            : Problems.Conflict("A recomputation is already running; wait for it to finish (its result is the same) and read the values.");

    private static async Task<Results<Ok<IReadOnlyList<ClvModelInfo>>, ProblemHttpResult>> ModelsAsync(ValueQueries q, CancellationToken ct, int? limit)
    {
        if (limit is < 1 or > 200)
        {
            return Problems.BadRequest("Bad limit", "limit must be between 1 and 200 (default 20).");
        }

        return TypedResults.Ok(await q.ModelsAsync(limit ?? 20, ct));
    }

    private static async Task<Results<Ok<ClvFitOutcome>, ProblemHttpResult>> FitAsync(ClvFitBody? body, ClvRefit refit, ValueOptions options)
    {
        var defaults = options.Clv;
        var request = new ClvFitRequest(
            body?.Model ?? defaults.Model,
            body?.HorizonWeeks ?? defaults.HorizonWeeks,
            body?.DiscountRate ?? defaults.DiscountRate,
            body?.Margin ?? defaults.Margin);
        if (request.Validate() is { } problem)
        {
            return Problems.BadRequest("Bad fit request", problem);
        }

        var outcome = await refit.TryFitAsync(request, null, CancellationToken.None);
        if (outcome is null)
        {
            return Problems.Conflict("A CLV fit is already running; wait for it and list the versions at /v1/models/clv.");
        }

        if (!outcome.Fitted)
        {
            var failed = new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The CLV model could not be fitted",
                Detail = outcome.Model.Message,
            };
            failed.Extensions["modelId"] = outcome.Model.Id;
            return TypedResults.Problem(failed);
        }

        return TypedResults.Ok(outcome);
    }

    private static ProblemHttpResult NoCustomer(long id) =>
        Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");
}

/// <summary>POST /v1/customers/{id}/costs. Amount in currency units; At defaults to now; a Reference makes retries safe.</summary>
internal sealed record CostBody(string? Kind, decimal? Amount, DateTimeOffset? At, string? Reference, string? Note);

/// <summary>POST /v1/models/clv/fit; every field is optional (the server's Rapport:Clv settings fill the gaps).</summary>
internal sealed record ClvFitBody(string? Model, int? HorizonWeeks, double? DiscountRate, double? Margin);
