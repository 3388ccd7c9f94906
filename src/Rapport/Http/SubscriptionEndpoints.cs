using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Loyalty;

namespace Rapport.Http;

/// <summary>Subscriptions for regularly bought products (mapped inside the loyalty group: admin key).</summary>
internal static class SubscriptionEndpoints
{
    public static void MapSubscriptionEndpoints(this RouteGroupBuilder g)
    {
        g.MapPost("/customers/{id:long}/subscriptions", CreateAsync).WithSummary("Subscribe a customer to a product; the interval defaults to their own rhythm for it");
        g.MapGet("/customers/{id:long}/subscriptions", ListAsync).WithSummary("A customer's subscriptions with next dates and regular-supply prices");
        g.MapPost("/subscriptions/{sid:long}/skip", (long sid, Subscriptions s, CancellationToken ct) => ReplyAsync(s.SkipAsync(sid, ct)))
            .WithSummary("Skip the next delivery (moves it one interval on)");
        g.MapPost("/subscriptions/{sid:long}/pause", (long sid, PauseBody? body, Subscriptions s, CancellationToken ct) => ReplyAsync(s.PauseAsync(sid, body?.Until, ct)))
            .WithSummary("Pause until a day (or until resumed)");
        g.MapPost("/subscriptions/{sid:long}/resume", (long sid, Subscriptions s, CancellationToken ct) => ReplyAsync(s.ResumeAsync(sid, ct)))
            .WithSummary("Resume: the next delivery is the first on the rhythm from today");
        g.MapPost("/subscriptions/{sid:long}/cancel", (long sid, Subscriptions s, CancellationToken ct) => ReplyAsync(s.CancelAsync(sid, ct)))
            .WithSummary("Cancel the subscription");
    }

    private static async Task<Results<Created<Subscription>, ProblemHttpResult>> CreateAsync(
        long id, SubscriptionBody body, Subscriptions subscriptions, CancellationToken ct)
    {
        var outcome = await subscriptions.CreateAsync(id, body.Sku ?? "", body.Quantity ?? 1, body.IntervalDays, body.FirstDate, body.DiscountPercent, ct);
        return outcome.Value is { } s ? TypedResults.Created($"/v1/customers/{id}/subscriptions", s) : Problem(outcome);
    }

    private static async Task<Results<Ok<IReadOnlyList<Subscription>>, ProblemHttpResult>> ListAsync(long id, Subscriptions subscriptions, CancellationToken ct) =>
        await subscriptions.ForCustomerAsync(id, ct) is { } list
            ? TypedResults.Ok(list)
            : Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT.");

    private static async Task<Results<Ok<Subscription>, ProblemHttpResult>> ReplyAsync(Task<SubscriptionOutcome> change)
    {
        var outcome = await change;
        return outcome is { Error: SubscriptionError.None, Value: { } s } ? TypedResults.Ok(s) : Problem(outcome);
    }

    private static ProblemHttpResult Problem(SubscriptionOutcome o) => o.Error switch
    {
        SubscriptionError.NotFound => Problems.NotFound(o.Problem!),
        SubscriptionError.Cancelled => Problems.Conflict(o.Problem!),
        _ => Problems.BadRequest("Bad subscription", o.Problem!),
    };
}

/// <summary>POST /v1/customers/{id}/subscriptions. FirstDate is a day (yyyy-MM-dd), today or later.</summary>
internal sealed record SubscriptionBody(string? Sku, long? Quantity, int? IntervalDays, DateOnly? FirstDate, decimal? DiscountPercent);

internal sealed record PauseBody(DateOnly? Until);
