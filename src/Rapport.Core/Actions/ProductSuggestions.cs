using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Actions;

/// <summary>A product to offer one customer, with the sentence saying why and the product it comes from.</summary>
public sealed record ProductSuggestion(string Sku, string Name, string Reason, string Source);

/// <summary>
/// Where product offers get their product. This is the seam the recommender (issue 4 item 2,
/// built on its own branch) plugs into: register its implementation instead of
/// <see cref="HistoryProductSuggestions"/>. Implementations must leave out what cannot be bought.
/// </summary>
public interface IProductSuggestions
{
    Task<IReadOnlyList<ProductSuggestion>> SuggestAsync(long customer, int limit, CancellationToken ct = default);

    /// <summary>
    /// What the suggestions depend on besides the customer's own history (e.g. the recommender's
    /// current model): cached suggestions are read again when it is another object. Null: nothing.
    /// </summary>
    object? Model => null;
}

/// <summary>
/// The suggestions from the customer's own history: what they looked at recently and did not
/// buy (newest first), then what they bought more than once (a repeat purchase). Products the
/// catalogue marks unavailable are left out. Three queries: purchases, views, and the
/// availability of every candidate at once.
/// </summary>
public sealed class HistoryProductSuggestions(IDatabase database) : IProductSuggestions
{
    public async Task<IReadOnlyList<ProductSuggestion>> SuggestAsync(long customer, int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var bought = (await c.QueryAsync<(string Sku, string? Name, long Times)>(
            """
            SELECT l.sku, p.name, COUNT(DISTINCT o.order_id) FROM orders o JOIN order_lines l ON l.order_id = o.order_id
            LEFT JOIN products p ON p.sku = l.sku
            WHERE o.customer_id = @customer AND o.kind = 'sale' GROUP BY l.sku, p.name
            """,
            new { customer })).ToList();
        var boughtSkus = bought.Select(b => b.Sku).ToHashSet(StringComparer.Ordinal);
        var viewed = await c.QueryAsync<string>(
            "SELECT properties FROM events WHERE customer_id = @customer AND type = 'track' AND name = @name ORDER BY occurred_at DESC LIMIT 200",
            new { customer, name = EcommerceEvents.ProductViewed });

        // Candidates in order, then one availability query for all of them.
        var candidates = new List<ProductSuggestion>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var properties in viewed)
        {
            if (CommerceProperties.Product(JsonNode.Parse(properties) as JsonObject ?? []) is { } p && !boughtSkus.Contains(p.Sku) && seen.Add(p.Sku))
            {
                var name = p.Name ?? p.Sku;
                candidates.Add(new ProductSuggestion(p.Sku, name, $"because you looked at {name}", "viewed"));
            }
        }

        foreach (var b in bought.Where(b => b.Times >= 2).OrderByDescending(b => b.Times).ThenBy(b => b.Sku, StringComparer.Ordinal))
        {
            var name = b.Name ?? b.Sku;
            candidates.Add(new ProductSuggestion(b.Sku, name, $"because you bought {name} {b.Times} times", "bought_again"));
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        var unavailable = (await c.QueryAsync<string>(
            $"SELECT sku FROM products WHERE available = 0 AND sku IN {ValueList.Sql(database.Dialect, "@skus")}",
            new { skus = ValueList.Of(database.Dialect, candidates.Select(x => x.Sku).Distinct(StringComparer.Ordinal).ToList()) }))
            .ToHashSet(StringComparer.Ordinal);
        return candidates.Where(x => !unavailable.Contains(x.Sku)).Take(limit).ToList();
    }
}
