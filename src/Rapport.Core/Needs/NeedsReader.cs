using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>
/// Reads the history needs are computed from, for a set of customers, with five queries whatever
/// the number of customers (each takes the customers as one list parameter, see ValueList):
/// interactions per channel, sales per channel, sale lines with their product's category and
/// list price, the events read one by one (views, offers, coupons, stated preferences), and the
/// preference traits.
/// </summary>
internal static class NeedsReader
{
    public static Task<Dictionary<long, NeedsHistory>> ReadAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, IReadOnlyCollection<long> customers, CancellationToken ct)
    {
        var p = new DynamicParameters();
        p.Add("customers", ValueList.Of(dialect, customers));
        return ReadAsync(c, tx, dialect, p, $"IN {ValueList.Sql(dialect, "@customers")}", ct);
    }

    /// <summary>
    /// Every customer with an id from <paramref name="first"/> to <paramref name="last"/>: one
    /// range scan of each table's customer index, for the bulk recomputation (a list of
    /// thousands of ids is thousands of index probes, and a list to build and bind).
    /// </summary>
    public static Task<Dictionary<long, NeedsHistory>> ReadRangeAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, long first, long last, CancellationToken ct)
    {
        var p = new DynamicParameters();
        p.Add("first", first);
        p.Add("last", last);
        return ReadAsync(c, tx, dialect, p, "BETWEEN @first AND @last", ct);
    }

    /// <param name="inCustomers">The condition on customer_id: IN a list, or BETWEEN a range.</param>
    private static async Task<Dictionary<long, NeedsHistory>> ReadAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, DynamicParameters p, string inCustomers, CancellationToken ct)
    {
        var b = new Dictionary<long, Builder>();
        Builder For(long id) => b.TryGetValue(id, out var x) ? x : b[id] = new Builder();
        p.Add("read", ValueList.Of(dialect, NeedsEvents.Read.ToList()));
        p.Add("traits", ValueList.Of(dialect, NeedsEvents.ValuesMostTraits.Concat(NeedsEvents.InterestsTraits).ToList()));

        // Interactions: what the customer did (track, page, screen), not Rapport's own events (origin
        // 'rapport': without this a customer we email often would look as if they preferred email).
        await ReadRowsAsync(c, tx, ct, p, $"""
            SELECT customer_id, channel, COUNT(*) FROM events
            WHERE customer_id {inCustomers} AND type IN ('track', 'page', 'screen') AND origin = '{EventOrigin.Customer}'
            GROUP BY customer_id, channel
            """, r => For(r.GetInt64(0)).Interactions[r.GetString(1)] = Convert.ToInt64(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));

        await ReadRowsAsync(c, tx, ct, p, $"""
            SELECT customer_id, channel, COUNT(*) FROM orders
            WHERE customer_id {inCustomers} AND kind = 'sale' AND status <> 'cancelled'
            GROUP BY customer_id, channel
            """, r => For(r.GetInt64(0)).Purchases[r.GetString(1)] = Convert.ToInt64(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));

        // Events first: an Order Completed with a coupon marks its order's lines as discounted.
        var skusToCategorise = new HashSet<string>(StringComparer.Ordinal);
        await ReadRowsAsync(c, tx, ct, p, $"""
            SELECT customer_id, name, occurred_at, properties FROM events
            WHERE customer_id {inCustomers} AND type = 'track' AND name IN {ValueList.Sql(dialect, "@read")}
            """, r => ReadEvent(For(r.GetInt64(0)), r.GetString(1), r.GetInt64(2), r.GetString(3), skusToCategorise));

        await ReadRowsAsync(c, tx, ct, p, $"""
            SELECT o.customer_id, o.order_id, o.placed_at, o.discount_e4, l.sku, l.quantity, l.unit_price_e4, l.discount_e4, pr.category, pr.price_e4
            FROM orders o
            JOIN order_lines l ON l.order_id = o.order_id
            LEFT JOIN products pr ON pr.sku = l.sku
            WHERE o.customer_id {inCustomers} AND o.kind = 'sale' AND o.status <> 'cancelled'
            """, r =>
            {
                var x = For(r.GetInt64(0));
                var orderId = r.GetString(1);
                x.Lines.Add(new PurchaseLine(
                    orderId,
                    r.GetInt64(2),
                    r.GetString(4),
                    r.IsDBNull(8) ? null : r.GetString(8),
                    r.GetInt64(5),
                    r.GetInt64(6),
                    r.IsDBNull(9) ? null : r.GetInt64(9),
                    r.GetInt64(3) > 0 || r.GetInt64(7) > 0 || x.CouponOrders.Contains(orderId)));
            });

        // name || '': the customer key, not the (name, value) index (see NeedsBulkReader.TraitsSql).
        await ReadRowsAsync(c, tx, ct, p, $"""
            SELECT customer_id, name, value, source, at FROM traits
            WHERE customer_id {inCustomers} AND name || '' IN {ValueList.Sql(dialect, "@traits")}
            """, r =>
            {
                var name = r.GetString(1);
                var value = r.GetString(2);
                var source = "trait " + name + " (" + r.GetString(3) + ")";
                For(r.GetInt64(0)).Statements.Add(NeedsEvents.InterestsTraits.Contains(name)
                    ? new PreferenceStatement(r.GetInt64(4), source, null, ParseList(value))
                    : new PreferenceStatement(r.GetInt64(4), source, value, null));
            });

        await CategoriseViewsAsync(c, tx, dialect, b.Values, skusToCategorise, ct);
        return b.ToDictionary(kv => kv.Key, kv => kv.Value.Build());
    }

    private static void ReadEvent(Builder x, string name, long at, string properties, HashSet<string> skus)
    {
        // The two frequent kinds are read without a JSON document (NeedsProperties).
        if (name == EcommerceEvents.ProductViewed)
        {
            var (category, sku) = NeedsProperties.View(properties);
            if (category is null && sku is not null)
            {
                skus.Add(sku);
            }

            x.Views.Add((at, category, category is null ? sku : null));
            return;
        }

        if (name == EcommerceEvents.OrderCompleted)
        {
            if (NeedsProperties.Order(properties) is ({ }, { } orderId))
            {
                x.CouponOrders.Add(orderId);
            }

            return;
        }

        switch (name)
        {
            case NeedsEvents.PromotionViewed:
                x.OffersShown++;
                break;
            case NeedsEvents.PromotionClicked:
                x.OffersAccepted++;
                break;
            case NeedsEvents.CouponApplied:
                x.OffersAccepted++;
                x.Coupons++;
                break;
            case NeedsEvents.PreferencesStated:
                x.Statements.Add(Statement(at, properties));
                break;
        }
    }

    /// <summary>A Preferences Stated event's values_most (or valuesMost) and interests (an array or text).</summary>
    internal static PreferenceStatement Statement(long at, string properties)
    {
        using var doc = JsonDocument.Parse(properties);
        var props = doc.RootElement;
        var interests = props.ValueKind == JsonValueKind.Object && props.TryGetProperty("interests", out var i)
            ? i.ValueKind == JsonValueKind.Array
                ? i.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : CommerceProperties.Text(props, "interests") is { } text ? [text] : null
            : null;
        return new PreferenceStatement(
            at, "event " + NeedsEvents.PreferencesStated, CommerceProperties.Text(props, "values_most") ?? CommerceProperties.Text(props, "valuesMost"), interests);
    }

    /// <summary>Views that named a product but no category take the catalogue's category (one query for the batch).</summary>
    private static async Task CategoriseViewsAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, IEnumerable<Builder> builders, HashSet<string> skus, CancellationToken ct)
    {
        if (skus.Count == 0)
        {
            return;
        }

        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        var p = new DynamicParameters();
        p.Add("skus", ValueList.Of(dialect, skus));
        await ReadRowsAsync(c, tx, ct, p, $"SELECT sku, category FROM products WHERE category IS NOT NULL AND sku IN {ValueList.Sql(dialect, "@skus")}",
            r => categories[r.GetString(0)] = r.GetString(1));
        foreach (var x in builders)
        {
            for (var i = 0; i < x.Views.Count; i++)
            {
                if (x.Views[i] is { Category: null, Sku: { } sku } && categories.TryGetValue(sku, out var category))
                {
                    x.Views[i] = (x.Views[i].At, category, sku);
                }
            }
        }
    }

    /// <summary>A trait holding a list: a JSON array (as traits store arrays) or comma-separated text.</summary>
    internal static IReadOnlyList<string> ParseList(string value)
    {
        if (value.StartsWith('['))
        {
            try
            {
                using var doc = JsonDocument.Parse(value);
                return doc.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
            }
            catch (JsonException)
            {
                // Not JSON after all: read it as text.
            }
        }

        return [value];
    }

    private static async Task ReadRowsAsync(DbConnection c, DbTransaction? tx, CancellationToken ct, DynamicParameters p, string sql, Action<DbDataReader> row)
    {
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(sql, p, tx, commandTimeout: 600, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            row(reader);
        }
    }

    private sealed class Builder
    {
        public Dictionary<string, long> Interactions { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Purchases { get; } = new(StringComparer.Ordinal);

        public List<(long At, string? Category, string? Sku)> Views { get; } = [];

        public List<PurchaseLine> Lines { get; } = [];

        public HashSet<string> CouponOrders { get; } = new(StringComparer.Ordinal);

        public List<PreferenceStatement> Statements { get; } = [];

        public long OffersShown { get; set; }

        public long OffersAccepted { get; set; }

        public long Coupons { get; set; }

        public NeedsHistory Build() => new(
            Interactions, Purchases, Views.Select(v => new ProductView(v.At, v.Category)).ToList(), Lines, OffersShown, OffersAccepted, Coupons, Statements);
    }
}
