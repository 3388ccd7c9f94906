using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Actions;

/// <summary>
/// The read half of a decision's facts about one customer: segments, the facts reasons may quote,
/// and, read the first time a request needs them, the condition snapshot (per catalogue version
/// and day), the product suggestions (per recommender model) and the reciprocity balance. An
/// entry in the cache is replaced, never edited, when the customer changes; the parts filled
/// later are set once each, so concurrent requests can share one entry.
/// </summary>
public sealed class DecisionFacts(long customer, IReadOnlyDictionary<long, string> segments, IReadOnlyDictionary<string, string> facts)
{
    public long Customer => customer;

    /// <summary>Segment id to name, for eligibility and reasons.</summary>
    public IReadOnlyDictionary<long, string> Segments => segments;

    /// <summary>first_name, orders, tier, loyalty, last_bought when known.</summary>
    public IReadOnlyDictionary<string, string> Facts => facts;

    internal ConditionFacts? Conditions { get; set; }

    internal SuggestedProducts? Suggestions { get; set; }

    internal decimal? Balance { get; set; }
}

/// <summary>Which actions' conditions the customer met, for one catalogue version on one day (windows move with the day).</summary>
internal sealed record ConditionFacts(ActionCatalog.Loaded Catalog, int Day, bool[] Met);

/// <summary>Suggestions and the model they came from (a retrain changes them).</summary>
internal sealed record SuggestedProducts(object? Model, int Limit, IReadOnlyList<ProductSuggestion> Products);

/// <summary>
/// Gets a customer's <see cref="DecisionFacts"/> and their lazily read parts: from the cache when
/// there is one and it holds them, else from the store (and into the cache). Without a cache
/// every call reads the store, which is what the cache must always agree with.
/// </summary>
public sealed class DecisionFactsReader(
    IDatabase database, SnapshotLoader snapshots, IProductSuggestions products, Loyalty.ReciprocityQueries? reciprocity, DecisionFactsCache? cache)
{
    public DecisionFactsCache? Cache => cache;

    /// <returns>Null for an unknown customer. A merged-away id is followed to the customer it is now (not cached under the old id).</returns>
    public async Task<DecisionFacts?> GetAsync(long id, CancellationToken ct)
    {
        if (cache?.Read(id) is { } cached)
        {
            return cached;
        }

        var stamp = cache?.Stamp(id);
        await using var c = await database.OpenAsync(ct);
        if (await Consent.ConsentLedger.CurrentCustomerAsync(c, null, id) is not { } customer)
        {
            return null;
        }

        var facts = new DecisionFacts(customer, await CustomerFacts.SegmentsAsync(c, customer), await CustomerFacts.LoadAsync(c, customer));
        if (cache is not null && customer == id)
        {
            cache.StoreRead(id, stamp!.Value, facts);
        }

        return facts;
    }

    public async Task<bool[]> ConditionsAsync(DecisionFacts facts, ActionCatalog.Loaded loaded, DateTimeOffset now, CancellationToken ct)
    {
        var today = SegmentSet.DayOf(UnixTime.ToStorage(now));
        if (facts.Conditions is { } known && ReferenceEquals(known.Catalog, loaded) && known.Day == today)
        {
            return known.Met;
        }

        var met = new bool[loaded.Actions.Count];
        CustomerSnapshot? snapshot = null;
        if (loaded.Conditions.Segments.Count > 0)
        {
            await using var c = await database.OpenAsync(ct);
            snapshot = (await snapshots.LoadAsync(c, null, database.Dialect, loaded.Conditions, [facts.Customer], today, null, ct)).GetValueOrDefault(facts.Customer);
        }

        for (var i = 0; i < met.Length; i++)
        {
            var index = loaded.ConditionIndex[i];
            met[i] = index < 0 || (snapshot is not null && loaded.Conditions.Matches(snapshot, index, today));
        }

        facts.Conditions = new ConditionFacts(loaded, today, met);
        return met;
    }

    public async Task<IReadOnlyList<ProductSuggestion>> SuggestionsAsync(DecisionFacts facts, int limit, CancellationToken ct)
    {
        var model = products.Model;
        if (facts.Suggestions is { } known && ReferenceEquals(known.Model, model) && known.Limit == limit)
        {
            return known.Products;
        }

        var suggested = await products.SuggestAsync(facts.Customer, limit, ct);
        facts.Suggestions = new SuggestedProducts(model, limit, suggested);
        return suggested;
    }

    public async Task<decimal> BalanceAsync(DecisionFacts facts, CancellationToken ct)
    {
        if (reciprocity is null)
        {
            return 0m;
        }

        if (facts.Balance is { } known)
        {
            return known;
        }

        var balance = await reciprocity.BalanceAsync(facts.Customer, ct);
        facts.Balance = balance;
        return balance;
    }

    /// <summary>Name and availability of the products that actions on this channel name (one catalogue-wide lookup, kept per catalogue version).</summary>
    public async Task<IReadOnlyDictionary<string, (string Name, bool Available)>> NamedProductsAsync(ActionCatalog.Loaded loaded, string channel, CancellationToken ct)
    {
        if (cache?.Named(loaded, channel) is { } known)
        {
            return known;
        }

        var stamp = cache?.Stamp(0);
        var result = new Dictionary<string, (string Name, bool Available)>(StringComparer.Ordinal);
        var skus = loaded.Actions.Where(a => a.Spec.Channels.Contains(channel)).Select(a => a.Spec.ProductId).OfType<string>().Distinct().ToList();
        if (skus.Count > 0)
        {
            await using var c = await database.OpenAsync(ct);
            foreach (var sku in skus)
            {
                var row = await Dapper.SqlMapper.QuerySingleOrDefaultAsync<(string Name, long Available)?>(
                    c, "SELECT name, available FROM products WHERE sku = @sku", new { sku });
                result[sku] = row is { } r ? (r.Name, r.Available == 1) : (sku, true);
            }
        }

        cache?.StoreNamed(loaded, channel, stamp!.Value, result);
        return result;
    }
}
