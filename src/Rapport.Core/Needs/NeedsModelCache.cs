using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>A stored cluster of a model: index, label, centroid, size at fit time.</summary>
public sealed record StoredCluster(int Index, string Label, double[] Centroid, long SizeAtFit);

/// <summary>
/// The current needs model: the latest fitted needs_models row. LineageFrom is the first model
/// whose cluster numbers it kept (see NeedsSchema 1720): a customer's stored cluster counts in
/// this model when their row's model id is in [LineageFrom, Id].
/// </summary>
public sealed record NeedsModel(long Id, IReadOnlyList<StoredCluster> Clusters, long LineageFrom)
{
    public NeedsModel(long id, IReadOnlyList<StoredCluster> clusters)
        : this(id, clusters, id)
    {
    }

    public int Assign(double[] vector) => KMeans.Nearest(Clusters.Select(c => c.Centroid).ToList(), vector);

    /// <summary>Whether a row assigned in model <paramref name="modelId"/> holds a cluster number of this model.</summary>
    public bool Covers(long? modelId) => modelId is { } m && m >= LineageFrom && m <= Id;
}

/// <summary>
/// The current cluster model, for assigning customers whose needs change between fits to their
/// nearest centroid. One primary-key lookup per use; reloads only when a newer fit exists.
/// </summary>
public sealed class NeedsModelCache
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private NeedsModel? _current;

    public async Task<NeedsModel?> GetAsync(DbConnection c, DbTransaction? tx, CancellationToken ct = default)
    {
        var latest = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(id) FROM needs_models WHERE status = 'fitted'", transaction: tx, cancellationToken: ct));
        if (latest is null)
        {
            return null;
        }

        if (_current?.Id == latest)
        {
            return _current;
        }

        var (json, from) = await c.QuerySingleAsync<(string Clusters, long? From)>(new CommandDefinition(
            "SELECT clusters, lineage_from FROM needs_models WHERE id = @latest", new { latest }, tx, cancellationToken: ct));
        var model = new NeedsModel(latest.Value, JsonSerializer.Deserialize<List<StoredCluster>>(json, Json)!, from ?? latest.Value);
        _current = model;
        return model;
    }

    public void Set(NeedsModel? model) => _current = model;
}
