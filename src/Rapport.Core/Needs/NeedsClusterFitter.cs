using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>A cluster as the API shows it: label, size now, centroid by feature name.</summary>
public sealed record NeedsClusterView(int Index, string Label, long Size, IReadOnlyDictionary<string, double> Centroid);

/// <summary>A fit: fitted (with clusters) or failed (with the reason, no clusters).</summary>
public sealed record NeedsClusterSummary(
    long ModelId, string Status, string? Message, int K, bool KChosen, double? Silhouette, long Customers, IReadOnlyList<NeedsClusterView> Clusters, double Seconds);

/// <summary>
/// Fits the needs-based clusters on every customer's stored needs (customer_needs) and writes
/// each customer's cluster. Runs inside the single writer, so no customer changes between the
/// read and the assignment (seconds for a million customers: the fit uses a 50,000 sample).
/// Every fit is a new needs_models row; a failure (fewer than two different customers) is
/// recorded with its reason and leaves the current model in place.
/// </summary>
public sealed class NeedsClusterFitter(StoreWriter writer, NeedsModelCache models, SegmentRuntime segments)
{
    private static readonly string[] ClusterColumns = ["cluster_model_id", "cluster"];

    public Task<NeedsClusterSummary> FitAsync(int? k, int seed, CancellationToken ct = default) =>
        writer.WriteAsync(unit => FitAsync(unit, k, seed, ct), ct);

    private async Task<NeedsClusterSummary> FitAsync(UnitOfWork unit, int? k, int seed, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var ids = new List<long>();
        var vectors = new List<double[]>();
        await using (var reader = await unit.Connection.ExecuteReaderAsync(new CommandDefinition(
            "SELECT customer_id, price_sensitivity, digital_share, store_share, assisted_share, orders, focus, values_most FROM customer_needs ORDER BY customer_id",
            transaction: unit.Transaction, cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
                vectors.Add(NeedsVector.Of(new NeedsSummary(
                    reader.IsDBNull(1) ? null : reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4),
                    reader.GetInt64(5), reader.GetDouble(6), reader.IsDBNull(7) ? null : reader.GetString(7))));
            }
        }

        NeedsClusterFit fit;
        try
        {
            fit = NeedsClustering.Fit(vectors, k, seed);
        }
        catch (ArgumentException e)
        {
            var failedId = await InsertModelAsync(unit, "failed", k ?? 0, k is null, null, ids.Count, seed, null, e.Message.Split(" (Parameter", 2)[0], ct);
            return new NeedsClusterSummary(failedId, "failed", e.Message.Split(" (Parameter", 2)[0], k ?? 0, k is null, null, ids.Count, [], watch.Elapsed.TotalSeconds);
        }

        var stored = fit.Clusters.Select(c => new StoredCluster(c.Index, c.Label, c.Centroid, c.Size)).ToList();
        var id = await InsertModelAsync(
            unit, "fitted", fit.K, fit.KChosen, fit.Silhouette, ids.Count, seed, JsonSerializer.Serialize(stored, NeedsModelCache.Json), null, ct);
        unit.EveryCustomerChanged = true; // clusters moved: needs.* conditions cached by next best action are read again
        await unit.Dialect.BulkUpdateAsync(
            unit.Connection, unit.Transaction, "customer_needs", "customer_id", ClusterColumns,
            ids.Select((customer, i) => new object?[] { customer, id, (long)fit.Assignments[i] }), cancellationToken: ct);
        var model = new NeedsModel(id, stored);
        unit.OnRollback(() => models.Set(null));
        models.Set(model);
        segments.FactsChanged(unit, null);
        return new NeedsClusterSummary(
            id, "fitted", null, fit.K, fit.KChosen, fit.Silhouette, ids.Count,
            stored.Select(c => View(c, c.SizeAtFit)).ToList(), watch.Elapsed.TotalSeconds);
    }

    public static NeedsClusterView View(StoredCluster c, long size) =>
        new(c.Index, c.Label, size, NeedsVector.Names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => Math.Round(c.Centroid[x.i], 4)));

    private static async Task<long> InsertModelAsync(
        UnitOfWork unit, string status, int k, bool chosen, double? silhouette, long customers, int seed, string? clusters, string? message, CancellationToken ct) =>
        await unit.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO needs_models (status, k, k_chosen, silhouette, customers, seed, clusters, message, fitted_at)
            VALUES (@status, @k, @chosen, @silhouette, @customers, @seed, @clusters, @message, @now) RETURNING id
            """,
            new { status, k = (long)k, chosen = chosen ? 1L : 0L, silhouette, customers, seed = (long)seed, clusters, message, now = unit.Now },
            unit.Transaction,
            cancellationToken: ct));
}
