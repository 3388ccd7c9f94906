using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Keys;
using Rapport.Core.Loyalty;
using Rapport.Engine.Identity;

namespace Rapport.Http;

/// <summary>Profiles, timelines, lookup, search and merge administration (admin key).</summary>
internal static class CustomerEndpoints
{
    public static void MapCustomerEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Customers");
        g.MapGet("/customers/{id:long}", GetAsync).WithSummary("A customer's profile: identifiers, traits, orders, channels");
        g.MapGet("/customers/{id:long}/timeline", TimelineAsync).WithSummary("Every interaction, newest first, paged by cursor");
        g.MapGet("/customers/{id:long}/traits/{name}/history", TraitHistoryAsync).WithSummary("Every value a trait had, with source and time");
        g.MapGet("/customers/lookup", LookupAsync).WithSummary("Find a customer by any identifier");
        g.MapGet("/customers", SearchAsync).WithSummary("Search by name or email (?search=TEXT; ?match=prefix, the default, matches the start of any word through an index; ?match=anywhere scans)");
        g.MapGet("/customers/{id:long}/merges", MergesAsync).WithSummary("Merges this customer took part in");
        g.MapPost("/merges/{mergeId:long}/undo", UndoAsync).WithSummary("Undo a merge; no event is lost");
        g.MapGet("/customers/{id:long}/cart", CartAsync).WithSummary("The customer's cart");
        g.MapGet("/customers/{id:long}/resume", ResumeAsync).WithSummary("Resume where you left off: viewed, cart, searches");
        g.MapGet("/carts/abandoned", AbandonedAsync).WithSummary("Open carts idle for at least idleMinutes");
    }

    private static async Task<Results<Ok<CustomerProfile>, ProblemHttpResult>> GetAsync(long id, CustomerQueries q, LoyaltyQueries loyalty, CancellationToken ct) =>
        await q.GetAsync(id, ct) is { } p ? TypedResults.Ok(p with { Loyalty = await loyalty.SummaryAsync(p.Id, ct) }) : NoCustomer(id);

    private static async Task<Results<Ok<TimelinePage>, ProblemHttpResult>> TimelineAsync(
        long id, CustomerQueries q, CancellationToken ct, int? limit, string? cursor, string? channel, string? type, string? name)
    {
        if (channel is not null && !Channels.IsKnown(channel))
        {
            return Problems.BadRequest("Unknown channel", $"'{channel}' is not a channel; use one of {string.Join(", ", Channels.All)}.");
        }

        if (type is not null && !SegmentMessageParser.Types.Contains(type))
        {
            return Problems.BadRequest("Unknown type", $"'{type}' is not an event type; use one of {string.Join(", ", SegmentMessageParser.Types)}.");
        }

        if (!CustomerQueries.IsValidCursor(cursor))
        {
            return Problems.BadRequest("Bad cursor", "Pass back the 'nextCursor' of the previous page unchanged.");
        }

        if (limit is < 1 or > CustomerQueries.MaxPageSize)
        {
            return Problems.BadRequest("Bad limit", $"limit must be between 1 and {CustomerQueries.MaxPageSize}.");
        }

        if (await q.GetAsync(id, ct) is null)
        {
            return NoCustomer(id);
        }

        return TypedResults.Ok(await q.TimelineAsync(id, limit ?? 50, cursor, channel, type, name, ct));
    }

    private static async Task<Results<Ok<IReadOnlyList<TraitView>>, ProblemHttpResult>> TraitHistoryAsync(
        long id, string name, CustomerQueries q, CancellationToken ct) =>
        await q.GetAsync(id, ct) is null ? NoCustomer(id) : TypedResults.Ok(await q.TraitHistoryAsync(id, name, ct));

    private static async Task<Results<Ok<CustomerProfile>, ProblemHttpResult>> LookupAsync(
        CustomerQueries q, CancellationToken ct, string? kind, string? value)
    {
        if (kind is null || value is null || !Identifier.IsKnownKind(kind))
        {
            return Problems.BadRequest("Bad lookup", $"Pass ?kind=KIND&value=VALUE with KIND one of {string.Join(", ", Identifier.Kinds)}.");
        }

        return await q.LookupAsync(kind, value, ct) is { } id && await q.GetAsync(id, ct) is { } p
            ? TypedResults.Ok(p)
            : Problems.NotFound($"No customer has {kind} '{value}'.");
    }

    private static async Task<Results<Ok<IReadOnlyList<CustomerHit>>, ProblemHttpResult>> SearchAsync(
        CustomerQueries q, CancellationToken ct, string? search, int? limit, string? match)
    {
        if (match is not (null or "" or "prefix" or "anywhere"))
        {
            return Problems.BadRequest("Bad match", $"match '{match}' is not known; use prefix (the default: names and emails from the start of any word, indexed) or anywhere (slower: reads every name and email).");
        }

        if (string.IsNullOrWhiteSpace(search) || search.Trim().Length < 2)
        {
            return Problems.BadRequest("Search needs text", "Pass ?search=TEXT with at least 2 characters of a name or email.");
        }

        return TypedResults.Ok(await q.SearchAsync(search, limit ?? 50, ct, anywhere: match == "anywhere"));
    }

    private static async Task<Results<Ok<IReadOnlyList<MergeRecord>>, ProblemHttpResult>> MergesAsync(
        long id, CustomerQueries q, Merges merges, CancellationToken ct) =>
        await q.GetAsync(id, ct) is null ? NoCustomer(id) : TypedResults.Ok(await merges.ForCustomerAsync(id, ct));

    private static async Task<Results<Ok<UndoReply>, ProblemHttpResult>> UndoAsync(long mergeId, Merges merges, CancellationToken ct) =>
        await merges.UndoAsync(mergeId, ct) switch
        {
            UndoOutcome.Undone => TypedResults.Ok(new UndoReply(mergeId, "undone")),
            UndoOutcome.AlreadyUndone => Problems.Conflict($"Merge {mergeId} was already undone."),
            _ => Problems.NotFound($"There is no merge {mergeId}; list a customer's merges at /v1/customers/{{id}}/merges."),
        };

    private static async Task<Results<Ok<CartView>, ProblemHttpResult>> CartAsync(long id, CustomerQueries q, CommerceQueries commerce, CancellationToken ct)
    {
        if (await q.GetAsync(id, ct) is null)
        {
            return NoCustomer(id);
        }

        return await commerce.CartAsync(id, ct) is { } cart ? TypedResults.Ok(cart) : Problems.NotFound($"Customer {id} has no cart.");
    }

    private static async Task<Results<Ok<ResumeView>, ProblemHttpResult>> ResumeAsync(long id, CustomerQueries q, CommerceQueries commerce, CancellationToken ct) =>
        await q.GetAsync(id, ct) is null ? NoCustomer(id) : TypedResults.Ok(await commerce.ResumeAsync(id, 10, ct));

    private static async Task<Results<Ok<IReadOnlyList<AbandonedCart>>, ProblemHttpResult>> AbandonedAsync(
        CommerceQueries commerce, CancellationToken ct, int? idleMinutes, int? limit)
    {
        if (idleMinutes is < 1)
        {
            return Problems.BadRequest("Bad idle time", "idleMinutes must be at least 1 (default 60).");
        }

        return TypedResults.Ok(await commerce.AbandonedAsync(TimeSpan.FromMinutes(idleMinutes ?? 60), Math.Clamp(limit ?? 100, 1, 1000), ct));
    }

    private static ProblemHttpResult NoCustomer(long id) =>
        Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");
}

internal sealed record UndoReply(long MergeId, string Status);
