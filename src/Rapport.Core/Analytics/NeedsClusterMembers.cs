using System.Text.Json;
using Dapper;
using Rapport.Core.Customers;
using Rapport.Core.Needs;
using Rapport.Core.Storage;

namespace Rapport.Core.Analytics;

/// <summary>A customer in a needs cluster, with what the list shows about them.</summary>
public sealed record ClusterMember(long Id, string? Name, string? Email, string? TopCategory, double? PriceSensitivity);

/// <summary>
/// The customers of one cluster of a needs model, a page at a time in id order (keyset: after the
/// last id shown). The cluster test is written as <c>cluster + 0</c> so neither store uses the
/// cluster index: both then walk customer_needs' primary key in order and stop after a page,
/// about page × k rows for an ordinary cluster instead of sorting every member (a fifth of a
/// million customers); a cluster with almost nobody in it walks further (at worst the table).
/// </summary>
public sealed class NeedsClusterMembers(IDatabase database)
{
    public const int PageSize = 25;

    /// <summary>The latest fitted model's id and clusters (one row of needs_models), or null before the first fit.</summary>
    public async Task<(long Id, IReadOnlyList<StoredCluster> Clusters)?> CurrentModelAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<(long Id, string Clusters)?>(new CommandDefinition(
            "SELECT id, clusters FROM needs_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 1", cancellationToken: ct));
        return row is { } r ? (r.Id, JsonSerializer.Deserialize<List<StoredCluster>>(r.Clusters, NeedsModelCache.Json)!) : null;
    }

    // Rows whose cluster did not move in a refit keep an older model id of the same lineage (NeedsClusterFitter).
    private static async Task<long> LineageFromAsync(System.Data.Common.DbConnection c, long model, CancellationToken ct) =>
        await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT lineage_from FROM needs_models WHERE id = @model", new { model }, cancellationToken: ct)) ?? model;

    /// <returns>Up to <see cref="PageSize"/> members and whether there are more.</returns>
    public async Task<(IReadOnlyList<ClusterMember> Members, bool More)> PageAsync(long model, int cluster, long after, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(long Id, string? Top, double? Price)>(new CommandDefinition(
            $"""
            SELECT customer_id, top_category, price_sensitivity FROM customer_needs
            WHERE customer_id > @after AND cluster_model_id + 0 BETWEEN @from AND @model AND cluster + 0 = @cluster
            ORDER BY customer_id LIMIT {PageSize + 1}
            """,
            new { after, model, cluster = (long)cluster, from = await LineageFromAsync(c, model, ct) },
            cancellationToken: ct))).ToList();
        var page = rows.Take(PageSize).ToList();
        var labels = await CustomerLabels.ReadAsync(c, database.Dialect, page.Select(r => r.Id).ToArray(), ct);
        return (page.Select(r => new ClusterMember(
            r.Id,
            labels[r.Id].Name,
            labels[r.Id].Email,
            r.Top,
            r.Price)).ToList(), rows.Count > PageSize);
    }
}
