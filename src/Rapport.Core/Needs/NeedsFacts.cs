using System.Text.Json;
using Dapper;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Needs;

/// <summary>
/// needs.*: fields of customer_needs, needs.affinity.CATEGORY from customer_affinity and
/// needs.channel.CHANNEL from customer_channels (the mean of the interaction and purchase
/// shares, as in clustering). One query per kind of field asked for.
/// </summary>
public sealed class NeedsFacts : ICustomerFactSource
{
    private const string AffinityPrefix = "affinity.";
    private const string ChannelPrefix = "channel.";

    private static readonly Dictionary<string, string> Columns = new(StringComparer.Ordinal)
    {
        ["price_sensitivity"] = "price_sensitivity",
        ["discount_share"] = "discount_revenue_share",
        ["offer_response"] = "offer_response",
        ["top_category"] = "top_category",
        ["values_most"] = "values_most",
    };

    public string Family => SegmentFields.Needs.Name;

    /// <summary>A refit moves customers between clusters: the current model's id.</summary>
    public async Task<string?> VersionAsync(FactRequest request, CancellationToken cancellationToken) =>
        (await request.Connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(id) FROM needs_models WHERE status = 'fitted'", transaction: request.Transaction, cancellationToken: cancellationToken)))
        ?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task LoadAsync(FactRequest request, FactSink sink, CancellationToken cancellationToken)
    {
        var scalar = request.Keys.Where(Columns.ContainsKey).ToArray();
        var cluster = request.Keys.Where(k => k is "cluster" or "cluster_id").ToArray();
        if (scalar.Length > 0 || cluster.Length > 0)
        {
            var labels = cluster.Contains("cluster") ? await LabelsAsync(request, cancellationToken) : new ClusterLabelsById();
            var columns = string.Join(", ", scalar.Select(k => Columns[k]));
            var texts = new FieldTexts();
            // The requested keys' own instances (see FactRequest.Keys), not literals.
            var (clusterKey, clusterIdKey) = (cluster.FirstOrDefault(k => k == "cluster") ?? "cluster", cluster.FirstOrDefault(k => k == "cluster_id"));
            var wantsId = clusterIdKey is not null;
            FactQueries.Read(
                request,
                $"SELECT customer_id, cluster_model_id, cluster{(columns.Length > 0 ? ", " + columns : "")} FROM customer_needs WHERE {{customers}}",
                "customer_id",
                [],
                r =>
                {
                    var customer = r.GetInt64(0);
                    for (var i = 0; i < scalar.Length; i++)
                    {
                        var o = i + 3;
                        sink(customer, scalar[i], r.IsNull(o) ? FieldValue.Missing
                            : r.IsText(o) ? texts.Get(r.GetUtf8(o)) : FieldValue.Of(r.GetDouble(o)));
                    }

                    if (!r.IsNull(1) && !r.IsNull(2))
                    {
                        var (model, index) = (r.GetInt64(1), r.GetInt64(2));
                        if (wantsId)
                        {
                            sink(customer, clusterIdKey!, FieldValue.Of((double)index));
                        }

                        if (labels.TryGetValue((labels.Current.Covers(model) ? labels.Current.Id : model, index), out var label))
                        {
                            sink(customer, clusterKey, FieldValue.Of(label));
                        }
                    }
                },
                cancellationToken);
        }

        Keyed(request, sink, AffinityPrefix, "SELECT customer_id, category, affinity FROM customer_affinity", "category", cancellationToken);
        Keyed(
            request,
            sink,
            ChannelPrefix,
            """
            SELECT customer_id, channel,
                   CASE WHEN interaction_share IS NULL THEN purchase_share
                        WHEN purchase_share IS NULL THEN interaction_share
                        ELSE (interaction_share + purchase_share) / 2 END
            FROM customer_channels
            """,
            "channel",
            cancellationToken);
    }

    private static void Keyed(FactRequest request, FactSink sink, string prefix, string select, string keyColumn, CancellationToken ct)
    {
        // Name → the requested key (prefix and name, the request's own instance): the query returns only those names.
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var k in request.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            keys.TryAdd(k[prefix.Length..], k);
        }

        var names = keys.Keys.ToList();
        if (names.Count == 0)
        {
            return;
        }
        var text = new TextInterner();
        FactQueries.Read(
            request,
            $"{select} WHERE {keyColumn} IN {ValueList.Sql(request.Dialect, "@names")} AND {{customers}}",
            "customer_id",
            [("names", ValueList.Of(request.Dialect, names))],
            r =>
            {
                var name = text.Get(r.GetUtf8(1));
                sink(r.GetInt64(0), keys.TryGetValue(name, out var key) ? key : prefix + name, FieldValue.Of(FactQueries.Number(r, 2)));
            },
            ct);
    }

    /// <summary>
    /// Cluster labels of the latest fitted models: a fit numbers its clusters as the previous
    /// model did and rewrites only customers whose number moved, so rows point at a model of the
    /// current one's lineage (labelled by the current model) or, rarely, at an older one.
    /// </summary>
    private static async Task<ClusterLabelsById> LabelsAsync(FactRequest request, CancellationToken ct)
    {
        var rows = (await request.Connection.QueryAsync<(long Id, string Clusters, long? From)>(new CommandDefinition(
            "SELECT id, clusters, lineage_from FROM needs_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 5",
            transaction: request.Transaction,
            cancellationToken: ct))).ToList();
        var labels = new ClusterLabelsById();
        foreach (var (id, json, _) in rows)
        {
            foreach (var c in JsonSerializer.Deserialize<List<StoredCluster>>(json, NeedsModelCache.Json)!)
            {
                labels[(id, c.Index)] = c.Label;
            }
        }

        if (rows.Count > 0)
        {
            labels.Current = new NeedsModel(rows[0].Id, [], rows[0].From ?? rows[0].Id);
        }

        return labels;
    }

    /// <summary>Labels by (model, cluster number), and the current model whose lineage its labels stand for.</summary>
    private sealed class ClusterLabelsById : Dictionary<(long, long), string>
    {
        public NeedsModel Current { get; set; } = new(0, [], 1);
    }
}
