using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Commerce;
using Rapport.Core.Keys;
using Rapport.Core.Recommendations;
using Rapport.Core.Storage;

namespace Rapport.Http;

/// <summary>A list of recommendations and what it was based on.</summary>
internal sealed record RecommendationsReply(
    string Type, long? CustomerId, string? Item, string? Signal, DateTimeOffset ModelBuiltAt, IReadOnlyList<RecommendedItem> Items);

/// <summary>Recommendations served from memory (admin key): per customer, per product, and retraining.</summary>
internal static class RecommendationEndpoints
{
    private const int MaxK = 100;
    private const int MaxExclude = 500;
    private const int RetryAfterSeconds = 5;
    private static readonly string[] ItemKinds = ["similar", "fbt", "upsell"];

    public static void MapRecommendationEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Recommendations");
        g.MapGet("/customers/{id:long}/recommendations", ForCustomerAsync).Produces<RecommendationsReply>()
            .WithSummary("A customer's recommendations: type=personal|similar|fbt|upsell|resume|popular, item=SKU (similar, fbt, upsell), k, exclude=a,b");
        g.MapGet("/products/{sku}/recommendations", ForProductAsync).Produces<RecommendationsReply>().WithSummary("Item-to-item recommendations: type=similar|fbt|upsell, k, exclude=a,b");
        g.MapPost("/recommendations/retrain", RetrainAsync).WithSummary("Rebuild the recommender from the store now");
        g.MapGet("/recommendations/model", ModelAsync).WithSummary("What the served recommender was trained on and whether newer events wait");
    }

    private static async Task<Results<JsonHttpResult<RecommendationsReply>, ProblemHttpResult>> ForCustomerAsync(
        long id, Recommender recommender, RecommendationOptions options, IDatabase database, CommerceQueries commerce, HttpResponse response, CancellationToken ct,
        string? type, string? item, int? k, string? exclude, string? signal)
    {
        if (Parse(type ?? "personal", Enum.GetNames<RecommendationKind>()) is not { } kindName)
        {
            return Problems.BadRequest("Unknown type", $"type '{type}' is not a recommendation type; use one of personal, similar, fbt, upsell, resume, popular.");
        }

        var kind = Enum.Parse<RecommendationKind>(kindName, ignoreCase: true);
        if (Check(k, exclude, signal) is { } bad)
        {
            return bad;
        }

        if (ItemKinds.Contains(kindName) && string.IsNullOrWhiteSpace(item))
        {
            return Problems.BadRequest("Item needed", $"type={kindName} recommends around one product: add item=SKU.");
        }

        if (await recommender.CurrentAsync(options.FirstModelWait, ct) is not { } s)
        {
            return Training(recommender, response);
        }

        // Customers in the model need no database round trip; others are looked up (and followed through merges).
        long? found = s.Users.TryGet(id, out _) ? id : await LiveCustomerAsync(database, id, ct);
        if (found is not { } customer)
        {
            return Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");
        }

        if (ItemKinds.Contains(kindName) && !s.Items.TryGet(item!, out _))
        {
            return UnknownItem(item!);
        }

        var excluded = Skus(exclude);
        IReadOnlyList<RecommendedItem> items;
        if (kind == RecommendationKind.Resume)
        {
            var resume = await commerce.ResumeAsync(customer, MaxK, ct);
            items = Recommender.Resume(s, resume.OpenCart?.Items.Select(i => i.Sku).ToList() ?? [], resume.RecentlyViewed.Select(v => v.Sku).ToList(), k ?? 10, excluded);
        }
        else
        {
            items = recommender.ForCustomer(s, customer, kind, item, Signal(signal), k ?? 10, excluded);
        }

        return TypedResults.Json(new RecommendationsReply(kindName, customer, item, ItemKinds.Contains(kindName) ? SignalName(signal) : null, s.Info.BuiltAt, items), ServingJson.For(response.HttpContext).RecommendationsReply);
    }

    private static async Task<Results<JsonHttpResult<RecommendationsReply>, ProblemHttpResult>> ForProductAsync(
        string sku, Recommender recommender, RecommendationOptions options, HttpResponse response, CancellationToken ct, string? type, int? k, string? exclude, string? signal)
    {
        if (Parse(type ?? "similar", ItemKinds) is not { } kindName)
        {
            return Problems.BadRequest("Unknown type", $"type '{type}' is not a product recommendation type; use one of similar, fbt, upsell (personal lists are under /v1/customers/{{id}}/recommendations).");
        }

        if (Check(k, exclude, signal) is { } bad)
        {
            return bad;
        }

        if (await recommender.CurrentAsync(options.FirstModelWait, ct) is not { } s)
        {
            return Training(recommender, response);
        }

        if (!s.Items.TryGet(sku, out var item))
        {
            return UnknownItem(sku);
        }

        var kind = Enum.Parse<RecommendationKind>(kindName, ignoreCase: true);
        var items = recommender.ForProduct(s, item, kind, Signal(signal), k ?? 10, Skus(exclude));
        return TypedResults.Json(new RecommendationsReply(kindName, null, sku, SignalName(signal), s.Info.BuiltAt, items), ServingJson.For(response.HttpContext).RecommendationsReply);
    }

    // Not tied to the request: a client that stops waiting does not waste a retrain half done.
    private static async Task<Ok<RecommenderInfo>> RetrainAsync(Recommender recommender) =>
        TypedResults.Ok(await recommender.RetrainAsync(CancellationToken.None));

    private static async Task<Ok<object>> ModelAsync(Recommender recommender, CancellationToken ct)
    {
        var s = await recommender.CurrentAsync(ct);
        return TypedResults.Ok<object>(new { s.Info, stale = recommender.IsStale });
    }

    /// <summary>The first model is still being trained: come back shortly (a later retrain never causes this).</summary>
    /// <summary>503 while the first model trains: the problem says when to retry, and so does Retry-After for HTTP clients that honour it.</summary>
    private static ProblemHttpResult Training(Recommender recommender, HttpResponse response)
    {
        var since = recommender.FirstTrainingStartedAt is { } at ? $" (started {at:u})" : "";
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            title: "Recommendations are not ready yet",
            detail: $"The first recommendation model is being trained from the stored history{since}; this happens once after start-up and takes about a minute per few million events. Retry in a few seconds.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = RetryAfterSeconds });
    }

    private static ProblemHttpResult? Check(int? k, string? exclude, string? signal)
    {
        if (k is < 1 or > MaxK)
        {
            return Problems.BadRequest("Bad k", $"k {k} must be between 1 and {MaxK} (default 10).");
        }

        if (Parse(signal ?? "all", Enum.GetNames<SimilaritySignal>()) is null)
        {
            return Problems.BadRequest("Unknown signal", $"signal '{signal}' is not a similarity signal; use all (default), views or purchases.");
        }

        return Skus(exclude).Count > MaxExclude
            ? Problems.BadRequest("Exclude list too long", $"exclude holds more than {MaxExclude} SKUs; send at most {MaxExclude}, comma-separated.")
            : null;
    }

    /// <summary>The customer (following merges to the one that absorbed it), or null when there is none.</summary>
    private static async Task<long?> LiveCustomerAsync(IDatabase database, long id, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        for (int hop = 0; hop < 10; hop++)
        {
            var row = await c.QuerySingleOrDefaultAsync<(long Id, long? MergedInto)?>(
                "SELECT id, merged_into FROM customers WHERE id = @id", new { id });
            if (row is null)
            {
                return null;
            }

            if (row.Value.MergedInto is not { } next)
            {
                return id;
            }

            id = next;
        }

        return id;
    }

    private static ProblemHttpResult UnknownItem(string sku) =>
        Problems.NotFound($"The recommender knows no product '{sku}'. It knows the catalogue and the products in events and orders up to its last training; after adding products, POST /v1/recommendations/retrain.");

    private static string? Parse(string value, IEnumerable<string> names) =>
        names.FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase))?.ToLowerInvariant();

    private static SimilaritySignal Signal(string? signal) => Enum.Parse<SimilaritySignal>(signal?.Trim() ?? "all", ignoreCase: true);

    private static string SignalName(string? signal) => Signal(signal).ToString().ToLowerInvariant();

    private static HashSet<string> Skus(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
