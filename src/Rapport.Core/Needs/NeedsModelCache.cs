using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>A stored cluster of a model: index, label, centroid, size at fit time.</summary>
public sealed record StoredCluster(int Index, string Label, double[] Centroid, long SizeAtFit);

/// <summary>The current needs model: the latest fitted needs_models row.</summary>
public sealed record NeedsModel(long Id, IReadOnlyList<StoredCluster> Clusters)
{
    public int Assign(double[] vector) => KMeans.Nearest(Clusters.Select(c => c.Centroid).ToList(), vector);
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

        var json = await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT clusters FROM needs_models WHERE id = @latest", new { latest }, tx, cancellationToken: ct));
        var model = new NeedsModel(latest.Value, JsonSerializer.Deserialize<List<StoredCluster>>(json!, Json)!);
        _current = model;
        return model;
    }

    public void Set(NeedsModel? model) => _current = model;
}
