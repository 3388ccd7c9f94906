using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

public sealed record AffinityView(string Category, double? ViewShare, double? SpendShare, double Affinity);

public sealed record ChannelView(string Channel, long Interactions, long Purchases, double? InteractionShare, double? PurchaseShare);

public sealed record PriceSensitivityView(
    double? Score, double? DiscountUnitShare, double? DiscountRevenueShare, long Units, long DiscountedUnits, decimal Revenue,
    decimal DiscountedRevenue, long OffersShown, long OffersAccepted, long CouponsApplied, double? OfferResponse);

public sealed record CadenceView(string Sku, long Purchases, double? MedianIntervalDays, DateTimeOffset LastPurchaseAt, DateTimeOffset? NextPurchaseAt);

public sealed record StatedView<T>(T Value, string Source, DateTimeOffset At);

public sealed record PreferencesView(StatedView<string>? ValuesMost, StatedView<IReadOnlyList<string>>? Interests);

public sealed record ClusterRef(long ModelId, long Index, string? Label);

/// <summary>A customer's needs as the API shows them. Cadence lists repeat-bought products first, by next date.</summary>
public sealed record CustomerNeedsView(
    long CustomerId,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<AffinityView> Affinity,
    PriceSensitivityView? PriceSensitivity,
    IReadOnlyList<ChannelView> Channels,
    IReadOnlyList<CadenceView> Cadence,
    PreferencesView Preferences,
    ClusterRef? Cluster);

/// <summary>The current clusters with their sizes now.</summary>
public sealed record NeedsClustersReply(
    long? ModelId, DateTimeOffset? FittedAt, int K, bool KChosen, double? Silhouette, IReadOnlyList<NeedsClusterView> Clusters, long Unassigned);

/// <summary>Reads needs for the API and profiles.</summary>
public sealed class NeedsQueries(IDatabase database)
{
    public const int CadenceLimit = 50;

    public async Task<CustomerNeedsView> GetAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await ReadAsync(c, customerId, ct);
    }

    public static async Task<CustomerNeedsView> ReadAsync(DbConnection c, long id, CancellationToken ct = default)
    {
        var row = await c.QueryFirstOrDefaultAsync(new CommandDefinition("SELECT * FROM customer_needs WHERE customer_id = @id", new { id }, cancellationToken: ct));
        var affinity = await c.QueryAsync<(string, double?, double?, double)>(new CommandDefinition(
            "SELECT category, view_share, spend_share, affinity FROM customer_affinity WHERE customer_id = @id ORDER BY affinity DESC, category", new { id }, cancellationToken: ct));
        var channels = await c.QueryAsync<(string, long, long, double?, double?)>(new CommandDefinition(
            "SELECT channel, interactions, purchases, interaction_share, purchase_share FROM customer_channels WHERE customer_id = @id ORDER BY purchases DESC, interactions DESC, channel",
            new { id }, cancellationToken: ct));
        var cadence = await c.QueryAsync<(string Sku, long Purchases, double? Median, long Last, long? Next)>(new CommandDefinition(
            $"""
            SELECT sku, purchases, median_interval_days, last_purchase_at, next_purchase_at FROM customer_cadence WHERE customer_id = @id
            ORDER BY CASE WHEN next_purchase_at IS NULL THEN 1 ELSE 0 END, next_purchase_at, last_purchase_at DESC, sku LIMIT {CadenceLimit}
            """, new { id }, cancellationToken: ct));
        if (row is null)
        {
            return new CustomerNeedsView(id, null, [], null, [], [], new PreferencesView(null, null), null);
        }

        var r = (IDictionary<string, object?>)row;
        string? label = null;
        long? clusterModel = L(r["cluster_model_id"]);
        if (clusterModel is { } model && L(r["cluster"]) is { } index)
        {
            // A row kept through refits (its cluster number did not move) belongs to the current model.
            var current = await c.QueryFirstOrDefaultAsync<(long Id, long? From)?>(new CommandDefinition(
                "SELECT id, lineage_from FROM needs_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 1", cancellationToken: ct));
            if (current is { } cm && model >= (cm.From ?? cm.Id) && model <= cm.Id)
            {
                clusterModel = model = cm.Id;
            }

            var json = await c.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT clusters FROM needs_models WHERE id = @model", new { model }, cancellationToken: ct));
            label = json is null ? null : JsonSerializer.Deserialize<List<StoredCluster>>(json, NeedsModelCache.Json)!.FirstOrDefault(x => x.Index == index)?.Label;
        }

        return new CustomerNeedsView(
            id,
            UnixTime.FromStorage(L(r["updated_at"])!.Value),
            affinity.Select(a => new AffinityView(a.Item1, a.Item2, a.Item3, a.Item4)).ToList(),
            new PriceSensitivityView(
                D(r["price_sensitivity"]), D(r["discount_unit_share"]), D(r["discount_revenue_share"]), L(r["units"])!.Value, L(r["discounted_units"])!.Value,
                Money.FromStorage(L(r["revenue_e4"])!.Value), Money.FromStorage(L(r["discounted_revenue_e4"])!.Value), L(r["offers_shown"])!.Value,
                L(r["offers_accepted"])!.Value, L(r["coupons_applied"])!.Value, D(r["offer_response"])),
            channels.Select(x => new ChannelView(x.Item1, x.Item2, x.Item3, x.Item4, x.Item5)).ToList(),
            cadence.Select(x => new CadenceView(x.Sku, x.Purchases, x.Median, UnixTime.FromStorage(x.Last), x.Next is { } n ? UnixTime.FromStorage(n) : null)).ToList(),
            new PreferencesView(
                r["values_most"] is string v ? new StatedView<string>(v, (string)r["values_most_source"]!, UnixTime.FromStorage(L(r["values_most_at"])!.Value)) : null,
                r["interests"] is string i
                    ? new StatedView<IReadOnlyList<string>>(JsonSerializer.Deserialize<List<string>>(i)!, (string)r["interests_source"]!, UnixTime.FromStorage(L(r["interests_at"])!.Value))
                    : null),
            clusterModel is { } m && L(r["cluster"]) is { } ci ? new ClusterRef(m, ci, label) : null);
    }

    public async Task<NeedsClustersReply> ClustersAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var model = await c.QueryFirstOrDefaultAsync<(long Id, long K, long Chosen, double? Silhouette, string Clusters, long FittedAt, long? From)?>(new CommandDefinition(
            "SELECT id, k, k_chosen, silhouette, clusters, fitted_at, lineage_from FROM needs_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 1", cancellationToken: ct));
        var unassigned = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM customer_needs WHERE cluster_model_id IS NULL"
            + (model is { } mm ? $" OR cluster_model_id < {mm.From ?? mm.Id} OR cluster_model_id > {mm.Id}" : ""), cancellationToken: ct));
        if (model is not { } m)
        {
            return new NeedsClustersReply(null, null, 0, false, null, [], unassigned);
        }

        var sizes = (await c.QueryAsync<(long Cluster, long Size)>(new CommandDefinition(
            "SELECT cluster, COUNT(*) FROM customer_needs WHERE cluster_model_id BETWEEN @from AND @id GROUP BY cluster", new { from = m.From ?? m.Id, id = m.Id }, cancellationToken: ct)))
            .ToDictionary(x => x.Cluster, x => x.Size);
        var clusters = JsonSerializer.Deserialize<List<StoredCluster>>(m.Clusters, NeedsModelCache.Json)!
            .Select(x => NeedsClusterFitter.View(x, sizes.GetValueOrDefault(x.Index)))
            .OrderByDescending(x => x.Size)
            .ThenBy(x => x.Index)
            .ToList();
        return new NeedsClustersReply(m.Id, UnixTime.FromStorage(m.FittedAt), (int)m.K, m.Chosen == 1, m.Silhouette, clusters, unassigned);
    }

    private static long? L(object? o) => o is null or DBNull ? null : Convert.ToInt64(o, System.Globalization.CultureInfo.InvariantCulture);

    private static double? D(object? o) => o is null or DBNull ? null : Convert.ToDouble(o, System.Globalization.CultureInfo.InvariantCulture);
}
