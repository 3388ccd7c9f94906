using System.Data.Common;
using System.Text;
using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>
/// The history needs are computed from, read for the bulk recomputation: the meaning of
/// <see cref="NeedsReader"/>'s five queries, read through <see cref="RowCursor"/> (columns by
/// position, text as UTF-8), with event names compared as bytes, view properties parsed in
/// place, and categories, SKUs and channels interned (one string per distinct value, not one
/// per row). Each customer's events are read once (interactions counted here, not by a GROUP
/// BY), and products once per read, not joined to every line.
/// The range form serves the bulk recomputation; the list form is for tests (the deferred
/// refresher reads through NeedsReader).
/// </summary>
internal static class NeedsBulkReader
{
    private static readonly byte[] ProductViewed = Encoding.UTF8.GetBytes(EcommerceEvents.ProductViewed);
    private static readonly byte[] OrderCompleted = Encoding.UTF8.GetBytes(EcommerceEvents.OrderCompleted);
    private static readonly byte[] PreferencesStated = Encoding.UTF8.GetBytes(NeedsEvents.PreferencesStated);
    private static readonly byte[] PromotionViewed = Encoding.UTF8.GetBytes(NeedsEvents.PromotionViewed);
    private static readonly byte[] PromotionClicked = Encoding.UTF8.GetBytes(NeedsEvents.PromotionClicked);
    private static readonly byte[] CouponApplied = Encoding.UTF8.GetBytes(NeedsEvents.CouponApplied);
    private static readonly byte[] CustomerOrigin = Encoding.UTF8.GetBytes(EventOrigin.Customer);

    // Constants, so written into the SQL (none contains a quote).
    private static readonly string ReadNames = string.Join(", ", NeedsEvents.Read.Select(n => $"'{n}'"));
    private static readonly string TraitNames = string.Join(", ", NeedsEvents.ValuesMostTraits.Concat(NeedsEvents.InterestsTraits).Select(n => $"'{n}'"));

    /// <summary>Customers <paramref name="first"/> to <paramref name="last"/> (one range scan of each table's customer index).</summary>
    /// <param name="buffer">Where the histories are kept (its arrays reused range after range); they are valid until it is cleared.</param>
    public static Dictionary<long, NeedsHistory> ReadRange(DbConnection c, DbTransaction? tx, SqlDialect dialect, long first, long last, NeedsHistoryBuffer? buffer = null) =>
        Read(c, tx, dialect, "BETWEEN @first AND @last", [("first", first), ("last", last)], buffer ?? new NeedsHistoryBuffer());

    /// <summary>The given customers (one list parameter, see <see cref="ValueList"/>).</summary>
    public static Dictionary<long, NeedsHistory> ReadList(DbConnection c, DbTransaction? tx, SqlDialect dialect, IReadOnlyCollection<long> customers) =>
        Read(c, tx, dialect, $"IN {ValueList.Sql(dialect, "@customers")}", [("customers", ValueList.Of(dialect, customers))], new NeedsHistoryBuffer());

    private static Dictionary<long, NeedsHistory> Read(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, string inCustomers, (string, object?)[] parameters, NeedsHistoryBuffer b)
    {
        var text = b.Text;

        // Events first: an Order Completed with a coupon marks its order's lines as discounted.
        ReadEvents(c, tx, dialect, inCustomers, parameters, b, text);
        ReadLines(c, tx, dialect, inCustomers, parameters, b, text);

        using (var r = dialect.OpenCursor(c, tx, TraitsSql(inCustomers), parameters))
        {
            while (r.Read())
            {
                var name = r.GetString(1);
                var value = r.GetString(2);
                var source = "trait " + name + " (" + r.GetString(3) + ")";
                b.State(b.Slot(r.GetInt64(0)), NeedsEvents.InterestsTraits.Contains(name)
                    ? new PreferenceStatement(r.GetInt64(4), source, null, NeedsReader.ParseList(value))
                    : new PreferenceStatement(r.GetInt64(4), source, value, null));
            }
        }

        ReadCatalogue(c, tx, dialect, b, text);
        return b.Build();
    }

    /// <summary>
    /// The stated-preference traits of the customers. <c>name || ''</c> keeps SQLite off the
    /// (name, value) search index: without statistics it preferred that index for a range of
    /// customers, which reads every customer's values_most trait in the store, each range again
    /// (1.8 s per 2,500 customers at 1M instead of 5 ms: most of the needs recomputation, and why
    /// it grew faster than the store). The customer key is the one to use; PostgreSQL plans the
    /// same either way.
    /// </summary>
    internal static string TraitsSql(string inCustomers) => $"""
        SELECT customer_id, name, value, source, at FROM traits
        WHERE customer_id {inCustomers} AND name || '' IN ({TraitNames})
        """;

    /// <summary>
    /// One pass over the customers' events for two things: interactions per channel (the
    /// customer's own track, page and screen events, not Rapport's, origin 'rapport': without
    /// that a customer we email often would look as if they preferred email), and the named
    /// track events read one by one (views, orders with coupons, offers, stated preferences,
    /// whatever their origin, as <see cref="NeedsReader"/>). Two queries visited every event twice,
    /// the first also sorting them for its GROUP BY.
    /// </summary>
    private static void ReadEvents(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, string inCustomers, (string, object?)[] parameters, NeedsHistoryBuffer b, TextInterner text)
    {
        // Rapport's own events other than the named ones (Segment Entered, Email Sent: a quarter of
        // the events after a few recomputations) count for nothing: not handed over at all.
        using var r = dialect.OpenCursor(c, tx, $"""
            SELECT customer_id, type, origin, channel, name, occurred_at, properties FROM events
            WHERE customer_id {inCustomers} AND type IN ('track', 'page', 'screen')
              AND (origin = '{EventOrigin.Customer}' OR (type = 'track' AND name IN ({ReadNames})))
            """, parameters);
        while (r.Read())
        {
            var slot = b.Slot(r.GetInt64(0));
            // Each span is used before the next column is read (the portable cursor reuses one buffer).
            var track = r.GetUtf8(1).SequenceEqual("track"u8);
            if (r.GetUtf8(2).SequenceEqual(CustomerOrigin))
            {
                b.Interaction(slot, text.Get(r.GetUtf8(3)));
            }

            if (!track || r.IsNull(4))
            {
                continue;
            }

            var name = r.GetUtf8(4);
            if (name.SequenceEqual(ProductViewed))
            {
                var (category, sku) = NeedsProperties.View(r.GetUtf8(6), text);
                b.View(slot, new ProductView(r.GetInt64(5), category), category is null ? sku : null);
            }
            else if (name.SequenceEqual(OrderCompleted))
            {
                if (NeedsProperties.CouponOrder(r.GetUtf8(6)) is { } orderId)
                {
                    b.CouponOrder(slot, orderId);
                }
            }
            else if (name.SequenceEqual(PreferencesStated))
            {
                b.State(slot, NeedsReader.Statement(r.GetInt64(5), r.GetString(6)));
            }
            else if (IsOffer(name))
            {
                b.Offer(slot, Encoding.UTF8.GetString(name));
            }
        }
    }

    private static bool IsOffer(ReadOnlySpan<byte> name) =>
        name.SequenceEqual(PromotionViewed) || name.SequenceEqual(PromotionClicked) || name.SequenceEqual(CouponApplied);

    /// <summary>
    /// The sales and their lines, in one pass over the orders: each order counts as a purchase on
    /// its channel (once, however many lines it has; an order without lines still counts, hence
    /// the LEFT JOIN), which a GROUP BY of the orders did in a second pass and a sort. The lines'
    /// products' category and list price are left for <see cref="ReadCatalogue"/>: a join to
    /// products per line cost two B-tree descents per line, where a range's lines name a few
    /// hundred products.
    /// </summary>
    private static void ReadLines(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, string inCustomers, (string, object?)[] parameters, NeedsHistoryBuffer b, TextInterner text)
    {
        using var r = dialect.OpenCursor(c, tx, $"""
            SELECT o.customer_id, o.order_id, o.placed_at, o.discount_e4, l.sku, l.quantity, l.unit_price_e4, l.discount_e4, o.channel
            FROM orders o
            LEFT JOIN order_lines l ON l.order_id = o.order_id
            WHERE o.customer_id {inCustomers} AND o.kind = 'sale' AND o.status <> 'cancelled'
            """, parameters);
        while (r.Read())
        {
            var slot = b.Slot(r.GetInt64(0));
            if (b.FirstSightOfOrder(slot, r.GetUtf8(1)))
            {
                b.Purchase(slot, text.Get(r.GetUtf8(8)));
            }

            if (r.IsNull(4))
            {
                continue; // an order without lines
            }

            // The order id only matters for coupons, which few customers have: no string otherwise.
            var coupon = b.HasCouponOrders(slot) && b.IsCouponOrder(slot, r.GetString(1));
            b.Line(slot, new PurchaseLine(
                "",
                r.GetInt64(2),
                text.Get(r.GetUtf8(4)),
                null,
                r.GetInt64(5),
                r.GetInt64(6),
                null,
                r.GetInt64(3) > 0 || r.GetInt64(7) > 0 || coupon));
        }
    }

    /// <summary>
    /// The category and list price of every product the range's lines and uncategorised views
    /// name, in one query (products are few against lines), applied to them in memory.
    /// </summary>
    private static void ReadCatalogue(DbConnection c, DbTransaction? tx, SqlDialect dialect, NeedsHistoryBuffer b, TextInterner text)
    {
        var skus = b.Products();
        var products = new Dictionary<string, (string? Category, long? PriceE4)>(skus.Count, StringComparer.Ordinal);
        if (skus.Count > 0)
        {
            using var r = dialect.OpenCursor(c, tx, $"SELECT sku, category, price_e4 FROM products WHERE sku IN {ValueList.Sql(dialect, "@skus")}",
                [("skus", ValueList.Of(dialect, skus))]);
            while (r.Read())
            {
                products[text.Get(r.GetUtf8(0))] = (r.IsNull(1) ? null : text.Get(r.GetUtf8(1)), r.IsNull(2) ? null : r.GetInt64(2));
            }
        }

        b.Catalogue(products);
    }
}
