using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Needs;
using Rapport.Engine.Segments;

namespace Rapport.Core.Needs;

/// <summary>A cluster as the API shows it: label, size now, centroid by feature name.</summary>
public sealed record NeedsClusterView(int Index, string Label, long Size, IReadOnlyDictionary<string, double> Centroid);

/// <summary>A fit: fitted (with clusters) or failed (with the reason, no clusters).</summary>
public sealed record NeedsClusterSummary(
    long ModelId, string Status, string? Message, int K, bool KChosen, double? Silhouette, long Customers, IReadOnlyList<NeedsClusterView> Clusters, double Seconds)
{
    /// <summary>Customers whose cluster number moved, the only rows the fit rewrote.</summary>
    public long Rewritten { get; init; }
}

/// <summary>
/// Fits the needs-based clusters on every customer's stored needs (customer_needs) and writes
/// the cluster of each customer whose cluster number moved (numbers follow the previous model's,
/// see <see cref="ClusterAlignment"/>). Runs inside the single writer, so no customer changes between the
/// read and the assignment (seconds for a million customers: the fit uses a 50,000 sample).
/// Every fit is a new needs_models row; a failure (fewer than two different customers) is
/// recorded with its reason and leaves the current model in place.
/// </summary>
public sealed class NeedsClusterFitter(StoreWriter writer, NeedsModelCache models, SegmentRuntime segments)
{
    private static readonly string[] ClusterColumns = ["cluster_model_id", "cluster"];

    /// <param name="tellSegments">
    /// Whether live segments re-read every customer's needs when the fit commits; false when the
    /// caller recomputes every segment right after (see <see cref="NeedsRecomputeRequest.SegmentsFollow"/>).
    /// </param>
    public Task<NeedsClusterSummary> FitAsync(int? k, int seed, bool tellSegments = true, CancellationToken ct = default) =>
        writer.WriteAsync(unit => FitAsync(unit, k, seed, tellSegments, ct), ct);

    private async Task<NeedsClusterSummary> FitAsync(UnitOfWork unit, int? k, int seed, bool tellSegments, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var previous = await models.GetAsync(unit.Connection, unit.Transaction, ct);
        var ids = new List<long>();
        var vectors = new List<double[]>();
        var stored = new List<int>(); // per customer, their cluster number in the previous model, or -1
        // Through the cursor (columns by position, no per-row await or boxing), the values_most
        // texts interned: reading a million rows through Dapper's reader was most of the fit. On
        // a bulk reader (no per-call mutex on SQLite): this transaction has written nothing yet and
        // holds the writer, so the reader sees what it would.
        var text = new TextInterner();
        await using (var reader = await writer.Database.OpenBulkReaderAsync(ct))
        using (var r = unit.Dialect.OpenCursor(
            reader,
            null,
            "SELECT customer_id, price_sensitivity, digital_share, store_share, assisted_share, orders, focus, values_most, cluster_model_id, cluster FROM customer_needs ORDER BY customer_id"))
        {
            while (r.Read())
            {
                ct.ThrowIfCancellationRequested();
                ids.Add(r.GetInt64(0));
                vectors.Add(NeedsVector.Of(new NeedsSummary(
                    r.IsNull(1) ? null : r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4),
                    r.GetInt64(5), r.GetDouble(6), r.IsNull(7) ? null : text.Get(r.GetUtf8(7)))));
                stored.Add(!r.IsNull(8) && !r.IsNull(9) && previous is not null && previous.Covers(r.GetInt64(8)) ? (int)r.GetInt64(9) : -1);
            }
        }

        NeedsClusterFit fit;
        try
        {
            fit = NeedsClustering.Fit(vectors, k, seed);
        }
        catch (ArgumentException e)
        {
            var failedId = await InsertModelAsync(unit, "failed", k ?? 0, k is null, null, ids.Count, seed, null, null, e.Message.Split(" (Parameter", 2)[0], ct);
            return new NeedsClusterSummary(failedId, "failed", e.Message.Split(" (Parameter", 2)[0], k ?? 0, k is null, null, ids.Count, [], watch.Elapsed.TotalSeconds);
        }

        // Clusters keep the previous model's numbers where they took its customers over, so only
        // customers whose cluster moved are rewritten; the rest keep their row (and its model id,
        // which this model covers through lineage_from).
        var number = ClusterAlignment.Align(stored, fit.Assignments, fit.K);
        var clusters = fit.Clusters.Select(c => new StoredCluster(number[c.Index], c.Label, c.Centroid, c.Size)).OrderBy(c => c.Index).ToList();
        var lineageFrom = previous?.LineageFrom;
        var id = await InsertModelAsync(
            unit, "fitted", fit.K, fit.KChosen, fit.Silhouette, ids.Count, seed, JsonSerializer.Serialize(clusters, NeedsModelCache.Json), lineageFrom, null, ct);
        var moved = new List<object?[]>();
        for (var i = 0; i < ids.Count; i++)
        {
            var cluster = number[fit.Assignments[i]];
            if (stored[i] != cluster)
            {
                moved.Add([ids[i], id, (long)cluster]);
            }
        }

        unit.EveryCustomerChanged = true; // clusters moved: needs.* conditions cached by next best action are read again
        await unit.Dialect.BulkUpdateAsync(unit.Connection, unit.Transaction, "customer_needs", "customer_id", ClusterColumns, moved, cancellationToken: ct);
        var model = new NeedsModel(id, clusters, lineageFrom ?? id);
        unit.OnRollback(() => models.Set(null));
        models.Set(model);
        if (tellSegments)
        {
            segments.FamilyChangedForEveryone(unit, SegmentFields.Needs.Name);
        }

        return new NeedsClusterSummary(
            id, "fitted", null, fit.K, fit.KChosen, fit.Silhouette, ids.Count,
            clusters.Select(c => View(c, c.SizeAtFit)).ToList(), watch.Elapsed.TotalSeconds)
        {
            Rewritten = moved.Count,
        };
    }

    public static NeedsClusterView View(StoredCluster c, long size) =>
        new(c.Index, c.Label, size, NeedsVector.Names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => Math.Round(c.Centroid[x.i], 4)));

    private static async Task<long> InsertModelAsync(
        UnitOfWork unit, string status, int k, bool chosen, double? silhouette, long customers, int seed, string? clusters, long? lineageFrom, string? message,
        CancellationToken ct) =>
        await unit.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO needs_models (status, k, k_chosen, silhouette, customers, seed, clusters, lineage_from, message, fitted_at)
            VALUES (@status, @k, @chosen, @silhouette, @customers, @seed, @clusters, @lineageFrom, @message, @now) RETURNING id
            """,
            new { status, k = (long)k, chosen = chosen ? 1L : 0L, silhouette, customers, seed = (long)seed, clusters, lineageFrom, message, now = unit.Now },
            unit.Transaction,
            cancellationToken: ct));
}
