using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Rapport.Core.Keys;
using Rapport.Core.Loyalty;
using Rapport.Engine.Loyalty;

namespace Rapport.Http;

/// <summary>Loyalty programme, points, rewards and the reciprocity ledger (admin key).</summary>
internal static class LoyaltyEndpoints
{
    public static void MapLoyaltyEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Loyalty");
        g.MapGet("/loyalty/program", async (LoyaltyProgramStore programs, CancellationToken ct) => TypedResults.Ok(await programs.GetAsync(ct)))
            .WithSummary("The loyalty programme: earning rules, tiers, expiry, redemption limits, reciprocity prices");
        g.MapPut("/loyalty/program", PutProgramAsync).WithSummary("Replace the loyalty programme (fields left out take their defaults)");
        g.MapPost("/loyalty/rewards", AddRewardAsync).WithSummary("Add a reward to the catalogue");
        g.MapGet("/loyalty/rewards", async (RewardsCatalogue rewards, CancellationToken ct, bool? all) => TypedResults.Ok(await rewards.ListAsync(all ?? false, ct)))
            .WithSummary("The rewards catalogue (active rewards; all=true includes retired ones)");
        g.MapPost("/loyalty/expire", async (LoyaltyExpiry expiry) => TypedResults.Ok(await expiry.RunAsync(CancellationToken.None)))
            .WithSummary("Run the nightly job now: expire lots past their date, re-evaluate tiers");
        g.MapGet("/customers/{id:long}/loyalty", AccountAsync).WithSummary("Points balance, lots, next expiry, tier and progress to the next tier");
        g.MapPost("/customers/{id:long}/loyalty/earn", EarnAsync).WithSummary("Award points (a number, or a configured event's points)");
        g.MapPost("/customers/{id:long}/loyalty/redeem", RedeemAsync).WithSummary("Redeem points or a reward; idempotencyKey makes retries safe");
        g.MapPost("/customers/{id:long}/loyalty/rewards/{rewardId:long}/redeem", RedeemRewardAsync).WithSummary("Redeem a catalogue reward");
        g.MapGet("/customers/{id:long}/loyalty/ledger", LedgerAsync).WithSummary("The append-only points ledger, newest first, paged with before");
        g.MapGet("/customers/{id:long}/reciprocity", ReciprocityAsync).WithSummary("What the customer gave and received, in money, and the balance");
        g.MapSubscriptionEndpoints();
        g.MapCauseEndpoints();
        g.MapSurpriseEndpoints();
        g.MapPricingEndpoints();
    }

    private static async Task<Results<Ok<LoyaltyProgram>, ProblemHttpResult>> PutProgramAsync(LoyaltyProgram? body, LoyaltyProgramWriter programs, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("Programme required", "Send the programme as JSON, e.g. {\"pointsPerUnit\": 1, \"pointValue\": 0.01}; GET /v1/loyalty/program shows every field.");
        }

        if (body.Validate() is { Count: > 0 } errors)
        {
            return Problems.BadRequest("Bad loyalty programme", string.Join(" ", errors), errors);
        }

        await programs.SaveAsync(body, ct);
        return TypedResults.Ok(body);
    }

    private static async Task<Results<Created<Reward>, ProblemHttpResult>> AddRewardAsync(RewardBody body, RewardsCatalogue rewards, CancellationToken ct)
    {
        if (RewardsCatalogue.Validate(body.Name, body.Points, body.Value) is { } problem)
        {
            return Problems.BadRequest("Bad reward", problem);
        }

        var reward = await rewards.AddAsync(body.Name!.Trim(), body.Points!.Value, body.Value ?? 0m, ct);
        return TypedResults.Created($"/v1/loyalty/rewards/{reward.Id}", reward);
    }

    private static async Task<Results<Ok<LoyaltyAccount>, ProblemHttpResult>> AccountAsync(long id, LoyaltyQueries q, CancellationToken ct) =>
        await q.AccountAsync(id, ct) is { } account ? TypedResults.Ok(account) : NoCustomer(id);

    private static async Task<Results<Created<LoyaltyResult>, Ok<LoyaltyResult>, ProblemHttpResult>> EarnAsync(
        long id, EarnBody body, LoyaltyLedger ledger, HttpRequest request, CancellationToken ct)
    {
        var key = body.IdempotencyKey ?? IdempotencyHeader(request);
        if (body.Points is null == string.IsNullOrWhiteSpace(body.Event))
        {
            return Problems.BadRequest("Points or event", "Send either points (a whole number, e.g. 100) or event (a configured event such as \"Review Submitted\"), not both.");
        }

        if (body.Points is < 1 or > LoyaltyLedger.MaxPoints)
        {
            return Problems.BadRequest("Bad points", $"points must be between 1 and {LoyaltyLedger.MaxPoints}; to take points back, redeem them.");
        }

        if (KeyProblem(key) is { } keyProblem)
        {
            return keyProblem;
        }

        return Reply(id, await ledger.EarnAsync(id, body.Points, body.Event, key, body.Note, ct));
    }

    private static async Task<Results<Created<LoyaltyResult>, Ok<LoyaltyResult>, ProblemHttpResult>> RedeemAsync(
        long id, RedeemBody body, LoyaltyLedger ledger, HttpRequest request, CancellationToken ct)
    {
        var key = body.IdempotencyKey ?? IdempotencyHeader(request);
        if (body.Points is null && body.RewardId is null)
        {
            return Problems.BadRequest("Points or reward", "Send points (a whole number, e.g. 500) or rewardId (see /v1/loyalty/rewards).");
        }

        if (body.Points is < 1)
        {
            return Problems.BadRequest("Bad points", $"points must be a positive whole number (asked for {body.Points}).");
        }

        if (KeyProblem(key) is { } keyProblem)
        {
            return keyProblem;
        }

        return Reply(id, await ledger.RedeemAsync(id, body.Points, key, body.RewardId, body.Note, ct));
    }

    private static async Task<Results<Created<LoyaltyResult>, Ok<LoyaltyResult>, ProblemHttpResult>> RedeemRewardAsync(
        long id, long rewardId, LoyaltyLedger ledger, HttpRequest request, CancellationToken ct)
    {
        var key = IdempotencyHeader(request);
        return KeyProblem(key) is { } keyProblem ? keyProblem : Reply(id, await ledger.RedeemAsync(id, null, key, rewardId, null, ct));
    }

    private static async Task<Results<Ok<LedgerPage>, ProblemHttpResult>> LedgerAsync(long id, LoyaltyQueries q, CancellationToken ct, int? limit, long? before)
    {
        if (limit is < 1 or > LoyaltyQueries.MaxPageSize)
        {
            return Problems.BadRequest("Bad limit", $"limit must be between 1 and {LoyaltyQueries.MaxPageSize} (default 100).");
        }

        return await q.LedgerAsync(id, limit ?? 100, before, ct) is { } page ? TypedResults.Ok(page) : NoCustomer(id);
    }

    private static async Task<Results<Ok<ReciprocityView>, ProblemHttpResult>> ReciprocityAsync(long id, ReciprocityQueries q, CancellationToken ct) =>
        await q.GetAsync(id, ct) is { } view ? TypedResults.Ok(view) : NoCustomer(id);

    private static Results<Created<LoyaltyResult>, Ok<LoyaltyResult>, ProblemHttpResult> Reply(long id, LoyaltyResult r)
    {
        switch (r.Status)
        {
            case LoyaltyStatus.Done:
                return TypedResults.Created($"/v1/customers/{id}/loyalty/ledger", r);
            case LoyaltyStatus.Duplicate:
                return TypedResults.Ok(r);
            case LoyaltyStatus.NoCustomer:
                return NoCustomer(id);
            case LoyaltyStatus.NoReward:
                return Problems.NotFound(r.Problem!);
        }

        var problem = new ProblemDetails
        {
            Status = r.Status == LoyaltyStatus.Insufficient ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity,
            Title = r.Status == LoyaltyStatus.Insufficient ? "Not enough points" : "Redemption limit",
            Detail = r.Problem,
        };
        problem.Extensions["balance"] = r.Balance;
        if (r.LastExpiry is { } expiry)
        {
            problem.Extensions["expiredOn"] = expiry;
        }

        return TypedResults.Problem(problem);
    }

    // Indexing the header's StringValues, not FirstOrDefault() over it (which boxes it on every request).
    private static string? IdempotencyHeader(HttpRequest request) =>
        request.Headers.TryGetValue("Idempotency-Key", out var values) && values.Count > 0 ? values[0] : null;

    private static ProblemHttpResult? KeyProblem(string? key) =>
        key is { Length: > LoyaltyLedger.MaxReferenceLength }
            ? Problems.BadRequest("Bad idempotency key", $"idempotencyKey is longer than {LoyaltyLedger.MaxReferenceLength} characters; use a short unique id such as a UUID.")
            : null;

    private static ProblemHttpResult NoCustomer(long id) =>
        Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");
}

/// <summary>POST /v1/customers/{id}/loyalty/earn: points or a configured event; the idempotency key (or Idempotency-Key header) makes retries safe.</summary>
internal sealed record EarnBody(long? Points, string? Event, string? IdempotencyKey, string? Note);

/// <summary>POST /v1/customers/{id}/loyalty/redeem: points or a reward.</summary>
internal sealed record RedeemBody(long? Points, long? RewardId, string? IdempotencyKey, string? Note);

/// <summary>POST /v1/loyalty/rewards.</summary>
internal sealed record RewardBody(string? Name, long? Points, decimal? Value);
