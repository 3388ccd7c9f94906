using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>
/// Recomputes customers' needs from their whole history and rewrites their rows, inside the
/// caller's transaction. Recomputing rather than adding deltas keeps the rows right whatever
/// order events, refunds, cancellations, merges and imports arrive in. Customers with no history
/// (absorbed by a merge, say) lose their rows. A changed customer joins the nearest cluster of
/// the current model.
/// </summary>
public static partial class NeedsUpdater
{
    private static readonly string[] NeedsColumns =
    [
        "customer_id", "price_sensitivity", "discount_unit_share", "discount_revenue_share", "units", "discounted_units", "revenue_e4",
        "discounted_revenue_e4", "offers_shown", "offers_accepted", "coupons_applied", "offer_response", "digital_share", "store_share",
        "assisted_share", "orders", "focus", "top_category", "values_most", "values_most_source", "values_most_at", "interests",
        "interests_source", "interests_at", "cluster_model_id", "cluster", "fingerprint", "updated_at",
    ];

    private static readonly string[] AffinityColumns = ["customer_id", "category", "view_share", "spend_share", "affinity"];

    private static readonly string[] ChannelColumns = ["customer_id", "channel", "interactions", "purchases", "interaction_share", "purchase_share"];

    private static readonly string[] CadenceColumns = ["customer_id", "sku", "purchases", "median_interval_days", "last_purchase_at", "next_purchase_at"];

    private static readonly string[] Tables = ["customer_needs", "customer_affinity", "customer_channels", "customer_cadence"];

    /// <summary>Customers per read: each read is five queries with the customers as one parameter.</summary>
    public const int ChunkSize = 2_000;

    /// <returns>The customers whose needs changed (rows written, or removed for customers without history).</returns>
    public static async Task<List<long>> RefreshAsync(
        UnitOfWork unit, IReadOnlyCollection<long> customers, NeedsSettings settings, NeedsModel? model, CancellationToken ct = default)
    {
        var changed = new List<long>();
        foreach (var chunk in customers.Distinct().Chunk(ChunkSize))
        {
            var computed = await ComputeAsync(unit.Connection, unit.Transaction, unit.Dialect, chunk, settings, model, unit.Now, ct);
            changed.AddRange(await WriteAsync(unit, computed, keep: null, ct));
        }

        return changed;
    }

    /// <summary>
    /// Reads up to <see cref="ChunkSize"/> customers' history and computes their needs, keeping
    /// only those that differ from the stored rows. Needs no write transaction, so the deferred
    /// refresher runs it beside ingestion and writes the result afterwards.
    /// </summary>
    public static async Task<NeedsComputation> ComputeAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, IReadOnlyCollection<long> chunk, NeedsSettings settings, NeedsModel? model, long now, CancellationToken ct)
    {
        var histories = await NeedsReader.ReadAsync(c, tx, dialect, chunk, ct);
        var p = new DynamicParameters();
        p.Add("customers", ValueList.Of(dialect, chunk));
        var stored = await StoredAsync(c, tx, p, $"IN {ValueList.Sql(dialect, "@customers")}", ct);
        return Compute(chunk.Distinct().Order().ToArray(), histories, stored, settings, model, now);
    }

    private static async Task<Dictionary<long, long>> StoredAsync(DbConnection c, DbTransaction? tx, DynamicParameters p, string inCustomers, CancellationToken ct) =>
        (await c.QueryAsync<(long Customer, long Fingerprint)>(new CommandDefinition(
            $"SELECT customer_id, fingerprint FROM customer_needs WHERE customer_id {inCustomers}", p, tx, cancellationToken: ct)))
        .ToDictionary(x => x.Customer, x => x.Fingerprint);

    /// <summary>
    /// Rewrites the changed customers' rows in the caller's transaction; with <paramref name="keep"/>,
    /// only those customers (the others' computation is stale and is dropped).
    /// </summary>
    /// <returns>The customers whose rows were rewritten or removed.</returns>
    public static async Task<List<long>> WriteAsync(UnitOfWork unit, NeedsComputation computed, IReadOnlySet<long>? keep, CancellationToken ct)
    {
        var changed = keep is null ? computed.Changed : computed.Changed.Where(keep.Contains).ToList();
        if (changed.Count == 0)
        {
            return [];
        }

        unit.CustomersChanged.UnionWith(changed); // needs.* conditions cached by next best action are read again
        var q = new DynamicParameters();
        q.Add("changed", ValueList.Of(unit.Dialect, changed));
        foreach (var table in Tables)
        {
            await unit.Connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {table} WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@changed")}", q, unit.Transaction, cancellationToken: ct));
        }

        bool Kept(object?[] row) => keep is null || keep.Contains((long)row[0]!);
        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customer_needs", NeedsColumns, computed.Needs.Where(Kept).ToList(), ct);
        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customer_affinity", AffinityColumns, computed.Affinity.Where(Kept).ToList(), ct);
        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customer_channels", ChannelColumns, computed.Channels.Where(Kept).ToList(), ct);
        await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customer_cadence", CadenceColumns, computed.Cadence.Where(Kept).ToList(), ct);
        return changed;
    }
}
