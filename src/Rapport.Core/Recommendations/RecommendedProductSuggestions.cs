using Rapport.Core.Actions;

namespace Rapport.Core.Recommendations;

/// <summary>
/// Product offers from the recommender: what the customer's own history suggests first (viewed
/// and not bought, bought again: the reasons a customer understands best), then SAR's personal
/// ranking to fill the rest. Both leave out what cannot be bought.
/// </summary>
public sealed class RecommendedProductSuggestions(Recommender recommender, HistoryProductSuggestions history, RecommendationOptions options) : IProductSuggestions
{
    /// <summary>The model the personal ranking comes from: a retrain makes cached suggestions stale.</summary>
    public object? Model => recommender.Snapshot;

    public async Task<IReadOnlyList<ProductSuggestion>> SuggestAsync(long customer, int limit, CancellationToken ct = default)
    {
        var result = (await history.SuggestAsync(customer, limit, ct)).ToList();
        if (result.Count >= limit)
        {
            return result;
        }

        // While the first model is still training, the customer's own history is all we offer.
        if (await recommender.CurrentAsync(options.FirstModelWait, ct) is not { } snapshot)
        {
            return result;
        }

        var taken = result.Select(r => r.Sku).ToHashSet(StringComparer.Ordinal);
        foreach (var item in recommender.ForCustomer(snapshot, customer, RecommendationKind.Personal, null, SimilaritySignal.All, limit, taken))
        {
            if (result.Count >= limit)
            {
                break;
            }

            result.Add(new ProductSuggestion(item.Sku, item.Name, $"customers with tastes like yours chose {item.Name}", "recommended"));
        }

        return result;
    }
}
