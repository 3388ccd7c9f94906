using System.Data.Common;
using System.Text.Json;
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
public static class NeedsUpdater
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

    /// <summary>
    /// The bulk recomputation's read: <paramref name="customers"/> are live customers in id order,
    /// read as one id range (one range scan per table; customers in the range that are not in
    /// the list, absorbed by a merge, are left alone).
    /// </summary>
    public static Task<NeedsComputation> ComputeRangeAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, long[] customers, NeedsSettings settings, NeedsModel? model, long now, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        // Read and computed on this thread before returning: the buffer goes back for the next range after.
        var buffer = Buffers.TryTake(out var b) ? b : new NeedsHistoryBuffer();
        try
        {
            return Task.FromResult(ComputeRange(c, tx, dialect, customers, settings, model, now, buffer));
        }
        finally
        {
            buffer.Clear();
            Buffers.Add(buffer);
        }
    }

    /// <summary>The bulk readers' buffers, reused range after range (one per reader running at once).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentBag<NeedsHistoryBuffer> Buffers = [];

    private static NeedsComputation ComputeRange(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, long[] customers, NeedsSettings settings, NeedsModel? model, long now, NeedsHistoryBuffer buffer)
    {
        var histories = NeedsBulkReader.ReadRange(c, tx, dialect, customers[0], customers[^1], buffer);
        var stored = new Dictionary<long, long>(customers.Length);
        using (var r = dialect.OpenCursor(c, tx, "SELECT customer_id, fingerprint FROM customer_needs WHERE customer_id BETWEEN @first AND @last",
            [("first", customers[0]), ("last", customers[^1])]))
        {
            while (r.Read())
            {
                stored[r.GetInt64(0)] = r.GetInt64(1);
            }
        }

        return Compute(customers, histories, stored, settings, model, now);
    }

    private static async Task<Dictionary<long, long>> StoredAsync(DbConnection c, DbTransaction? tx, DynamicParameters p, string inCustomers, CancellationToken ct) =>
        (await c.QueryAsync<(long Customer, long Fingerprint)>(new CommandDefinition(
            $"SELECT customer_id, fingerprint FROM customer_needs WHERE customer_id {inCustomers}", p, tx, cancellationToken: ct)))
        .ToDictionary(x => x.Customer, x => x.Fingerprint);

    /// <summary>
    /// The pure part, on every core: each customer's needs are independent of the others', and
    /// the results are gathered in id order, so the outcome is the same as one at a time.
    /// </summary>
    private static NeedsComputation Compute(
        long[] ids, Dictionary<long, NeedsHistory> histories, Dictionary<long, long> stored, NeedsSettings settings, NeedsModel? model, long now)
    {
        var rows = new CustomerRows?[ids.Length];
        var removed = new bool[ids.Length];
        Parallel.For(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var id = ids[i];
            if (!histories.TryGetValue(id, out var history))
            {
                removed[i] = stored.ContainsKey(id); // no history any more (absorbed by a merge): its rows go
                return;
            }

            var needs = NeedsCalculator.Compute(history, settings);
            var summary = NeedsSummary.From(needs);
            var interests = InterestsJson(needs);
            var fingerprint = FingerprintOf(id, needs, summary, interests);
            if (!(stored.TryGetValue(id, out var previous) && previous == fingerprint))
            {
                // Only customers whose needs moved are turned into (boxed) rows and assigned a cluster.
                rows[i] = Rows(id, NeedsRow(id, needs, summary, interests, model, fingerprint, now), needs);
            }
        });

        var result = new NeedsComputation();
        for (var i = 0; i < ids.Length; i++)
        {
            if (removed[i])
            {
                result.Changed.Add(ids[i]);
            }
            else if (rows[i] is { } r)
            {
                result.Changed.Add(ids[i]);
                result.Needs.Add(r.Needs);
                result.Affinity.AddRange(r.Affinity);
                result.Channels.AddRange(r.Channels);
                result.Cadence.AddRange(r.Cadence);
            }
        }

        return result;
    }

    private sealed record CustomerRows(object?[] Needs, List<object?[]> Affinity, List<object?[]> Channels, List<object?[]> Cadence);

    /// <summary>A customer's rows in the four tables (the needs row already holds their fingerprint).</summary>
    private static CustomerRows Rows(long id, object?[] row, CustomerNeeds n)
    {
        var a = new List<object?[]>(n.Affinity.Count);
        foreach (var x in n.Affinity)
        {
            a.Add([id, x.Category, x.ViewShare, x.SpendShare, x.Affinity]);
        }

        var ch = new List<object?[]>(n.Channels.Count);
        foreach (var x in n.Channels)
        {
            ch.Add([id, x.Channel, x.Interactions, x.Purchases, x.InteractionShare, x.PurchaseShare]);
        }

        var d = new List<object?[]>(n.Cadence.Count);
        foreach (var x in n.Cadence)
        {
            d.Add([id, x.Sku, (long)x.Purchases, x.MedianIntervalDays, x.LastPurchaseAt, x.NextPurchaseAt]);
        }

        return new CustomerRows(row, a, ch, d);
    }

    /// <summary>
    /// The fingerprint of a customer's rows in the four tables, hashed from the typed values in
    /// the order and form they are written (the needs row up to interests_at, then each affinity,
    /// channel and cadence row), so the same as hashing the built rows without building or boxing
    /// them: most customers of a recomputation have not changed. The cluster is not part of it:
    /// a refit sets clusters itself, and unchanged needs keep theirs.
    /// </summary>
    internal static long FingerprintOf(long id, CustomerNeeds n, NeedsSummary summary, string? interestsJson)
    {
        var f = new Fingerprint();
        var s = n.PriceSensitivity;
        var values = n.Preferences.ValuesMost;
        var interests = n.Preferences.Interests;
        f.Add(id);
        f.Add(s.Score);
        f.Add(s.UnitShare);
        f.Add(s.RevenueShare);
        f.Add(s.Units);
        f.Add(s.DiscountedUnits);
        f.Add(s.RevenueE4);
        f.Add(s.DiscountedRevenueE4);
        f.Add(s.OffersShown);
        f.Add(s.OffersAccepted);
        f.Add(s.CouponsApplied);
        f.Add(s.OfferResponse);
        f.Add(summary.Digital);
        f.Add(summary.Store);
        f.Add(summary.Assisted);
        f.Add(summary.Orders);
        f.Add(summary.Focus);
        f.Add(n.Affinity.Count > 0 ? n.Affinity[0].Category : null);
        f.Add(values?.Value);
        f.Add(values?.Source);
        f.Add(values?.At);
        f.Add(interestsJson);
        f.Add(interests?.Source);
        f.Add(interests?.At);
        for (var i = 0; i < n.Affinity.Count; i++)
        {
            var x = n.Affinity[i];
            f.Add(id);
            f.Add(x.Category);
            f.Add(x.ViewShare);
            f.Add(x.SpendShare);
            f.Add(x.Affinity);
        }

        for (var i = 0; i < n.Channels.Count; i++)
        {
            var x = n.Channels[i];
            f.Add(id);
            f.Add(x.Channel);
            f.Add(x.Interactions);
            f.Add(x.Purchases);
            f.Add(x.InteractionShare);
            f.Add(x.PurchaseShare);
        }

        for (var i = 0; i < n.Cadence.Count; i++)
        {
            var x = n.Cadence[i];
            f.Add(id);
            f.Add(x.Sku);
            f.Add((long)x.Purchases);
            f.Add(x.MedianIntervalDays);
            f.Add(x.LastPurchaseAt);
            f.Add(x.NextPurchaseAt);
        }

        return f.Value;
    }

    /// <summary>The same fingerprint hashed from the built rows (the needs row's last four values left out): the reference the typed form is tested against.</summary>
    internal static long FingerprintOfRows(object?[] needsRow, IEnumerable<object?[]> affinity, IEnumerable<object?[]> channels, IEnumerable<object?[]> cadence) =>
        Fingerprint.Of(needsRow[..^4], affinity.SelectMany(r => r), channels.SelectMany(r => r), cadence.SelectMany(r => r));

    private static string? InterestsJson(CustomerNeeds n) =>
        n.Preferences.Interests is { } interests ? JsonSerializer.Serialize(interests.Value) : null;

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

    /// <summary>The customer_needs row, in <see cref="NeedsColumns"/> order.</summary>
    internal static object?[] NeedsRow(long id, CustomerNeeds n, NeedsSummary summary, string? interestsJson, NeedsModel? model, long fingerprint, long now)
    {
        var s = n.PriceSensitivity;
        var values = n.Preferences.ValuesMost;
        var interests = n.Preferences.Interests;
        return
        [
            id, s.Score, s.UnitShare, s.RevenueShare, s.Units, s.DiscountedUnits, s.RevenueE4, s.DiscountedRevenueE4, s.OffersShown,
            s.OffersAccepted, s.CouponsApplied, s.OfferResponse, summary.Digital, summary.Store, summary.Assisted, summary.Orders,
            summary.Focus, n.Affinity.Count > 0 ? n.Affinity[0].Category : null, values?.Value, values?.Source, values?.At,
            interestsJson, interests?.Source, interests?.At,
            model?.Id, model is null ? null : (long)model.Assign(NeedsVector.Of(summary)), fingerprint, now,
        ];
    }

    /// <summary>A customer's rows in the four tables, as written (for tests comparing the typed fingerprint with the rows').</summary>
    internal static (object?[] Needs, List<object?[]> Affinity, List<object?[]> Channels, List<object?[]> Cadence) RowsOf(
        long id, CustomerNeeds n, NeedsModel? model, long now)
    {
        var summary = NeedsSummary.From(n);
        var interests = InterestsJson(n);
        var r = Rows(id, NeedsRow(id, n, summary, interests, model, FingerprintOf(id, n, summary, interests), now), n);
        return (r.Needs, r.Affinity, r.Channels, r.Cadence);
    }
}

/// <summary>Needs computed for a chunk of customers: the rows of those whose needs moved.</summary>
public sealed class NeedsComputation
{
    public List<long> Changed { get; } = [];

    public List<object?[]> Needs { get; } = [];

    public List<object?[]> Affinity { get; } = [];

    public List<object?[]> Channels { get; } = [];

    public List<object?[]> Cadence { get; } = [];

    /// <summary>Computations of consecutive id ranges as one, in id order.</summary>
    public static NeedsComputation Concat(IEnumerable<NeedsComputation> parts)
    {
        var all = new NeedsComputation();
        foreach (var part in parts)
        {
            all.Changed.AddRange(part.Changed);
            all.Needs.AddRange(part.Needs);
            all.Affinity.AddRange(part.Affinity);
            all.Channels.AddRange(part.Channels);
            all.Cadence.AddRange(part.Cadence);
        }

        return all;
    }
}
