using Rapport.Core.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>
/// One bulk read's histories in flat arrays: every view and line of the range in one array
/// each, tagged with its customer's slot, channel counts likewise, and one set of counters per
/// customer. The earlier form kept two dictionaries and four growing lists per customer; with
/// ~10 orders and ~20 views each, allocating, growing and collecting those was about a third of
/// a recomputation's CPU. <see cref="Build"/> groups the rows by customer with one stable
/// counting sort (rows keep the store's order within a customer) and hands each customer
/// windows onto the shared arrays.
/// </summary>
internal sealed class NeedsHistoryBuffer
{
    private readonly Dictionary<long, int> _slots = [];
    private long[] _ids = new long[256];
    private long[] _offersShown = new long[256];
    private long[] _offersAccepted = new long[256];
    private long[] _coupons = new long[256];
    private bool[] _hasCoupons = new bool[256];
    private readonly NeedsHistoryRows<ProductView> _views = new();
    private readonly NeedsHistoryRows<string?> _viewSkus = new(); // per view, its product when it named no category
    private readonly NeedsHistoryRows<PurchaseLine> _lines = new();
    private readonly NeedsHistoryRows<ChannelCount> _channels = new();
    private Dictionary<int, List<PreferenceStatement>>? _statements;
    private HashSet<(int Slot, string OrderId)>? _couponOrders;
    private (long Id, int Slot) _last = (0, -1);

    /// <summary>
    /// Texts read (channels, SKUs, categories), kept from range to range with the buffer: made
    /// anew for every range, each range created its catalogue's strings again, and the young
    /// collections that fell inside a range promoted them all. Bounded by the catalogue; past
    /// <see cref="MaxTexts"/> distinct texts it starts over.
    /// </summary>
    public TextInterner Text { get; private set; } = new();

    private const int MaxTexts = 200_000;

    // Where each (customer, channel)'s interaction or purchase count is in _channels: events and
    // orders are counted here, one row at a time, instead of by a GROUP BY (a second pass over
    // the events, and over the orders the lines query visits anyway, each with a sort).
    private readonly Dictionary<(int Slot, string Channel, bool Purchase), int> _countAt = [];
    private (int Slot, string? Channel, bool Purchase, int At) _lastCount = (-1, null, false, -1);

    // The orders already counted: a 64-bit hash of the customer's slot and order id (see FirstSightOfOrder).
    private readonly HashSet<ulong> _orders = [];
    private byte[] _lastOrder = new byte[64];
    private int _lastOrderLength;
    private int _lastOrderSlot = -1; // none yet

    public int Count => _slots.Count;

    /// <summary>
    /// Empties the buffer for the next range, keeping its arrays: a range's arrays are megabytes
    /// (on the large-object heap), and allocating them afresh per range cost more than the
    /// per-customer lists they replace. Histories built from it before are invalid afterwards.
    /// </summary>
    public void Clear()
    {
        _slots.Clear();
        Array.Clear(_offersShown, 0, _ids.Length);
        Array.Clear(_offersAccepted, 0, _ids.Length);
        Array.Clear(_coupons, 0, _ids.Length);
        Array.Clear(_hasCoupons, 0, _ids.Length);
        _views.Clear();
        _viewSkus.Clear();
        _lines.Clear();
        _channels.Clear();
        _statements = null;
        _couponOrders = null;
        _last = (0, -1);
        _countAt.Clear();
        _lastCount = (-1, null, false, -1);
        _orders.Clear();
        _lastOrderSlot = -1;
        if (Text.Count > MaxTexts)
        {
            Text = new TextInterner();
        }
    }

    /// <summary>The customer's slot, made on first sight. Rows come grouped by customer (each query scans the customer index): most are the last one's.</summary>
    public int Slot(long id)
    {
        if (_last.Slot >= 0 && _last.Id == id)
        {
            return _last.Slot;
        }

        if (!_slots.TryGetValue(id, out var slot))
        {
            slot = _slots.Count;
            if (slot == _ids.Length)
            {
                var n = slot * 2;
                Array.Resize(ref _ids, n);
                Array.Resize(ref _offersShown, n);
                Array.Resize(ref _offersAccepted, n);
                Array.Resize(ref _coupons, n);
                Array.Resize(ref _hasCoupons, n);
            }

            _ids[slot] = id;
            _slots[id] = slot;
        }

        _last = (id, slot);
        return slot;
    }

    /// <summary>One interaction of the customer on the channel (an event the customer made).</summary>
    public void Interaction(int slot, string channel) => Add(slot, channel, purchase: false);

    /// <summary>One sale of the customer on the channel (call once per order: see <see cref="FirstSightOfOrder"/>).</summary>
    public void Purchase(int slot, string channel) => Add(slot, channel, purchase: true);

    private void Add(int slot, string channel, bool purchase)
    {
        // A customer's rows mostly come one after another on one channel: most are the last one's.
        var at = _lastCount.Slot == slot && _lastCount.Purchase == purchase && string.Equals(_lastCount.Channel, channel, StringComparison.Ordinal)
            ? _lastCount.At
            : _countAt.TryGetValue((slot, channel, purchase), out var found) ? found : -1;
        if (at < 0)
        {
            at = _channels.Count;
            _countAt[(slot, channel, purchase)] = at;
            _channels.Add(slot, new ChannelCount(channel, 1, purchase));
        }
        else
        {
            ref var count = ref _channels.Items[at];
            count = count with { Count = count.Count + 1 };
        }

        _lastCount = (slot, channel, purchase, at);
    }

    /// <summary>
    /// Whether this row is the first of its order (the lines query returns one row per line, and
    /// one for an order without lines). SQLite joins by nested loops, so an order's rows come one
    /// after another and the byte comparison with the last row decides; PostgreSQL may interleave
    /// them, so a new order id is also checked against the range's earlier ones by a 64-bit hash
    /// of customer and order id (two of a range's ten thousand orders colliding is about 1 in
    /// 10^11; no string per order).
    /// </summary>
    public bool FirstSightOfOrder(int slot, ReadOnlySpan<byte> orderId)
    {
        if (slot == _lastOrderSlot && orderId.SequenceEqual(_lastOrder.AsSpan(0, _lastOrderLength)))
        {
            return false;
        }

        if (orderId.Length > _lastOrder.Length)
        {
            _lastOrder = new byte[orderId.Length * 2];
        }

        orderId.CopyTo(_lastOrder);
        (_lastOrderLength, _lastOrderSlot) = (orderId.Length, slot);
        return _orders.Add(Fnv1a(orderId) + ((ulong)slot * 0x9E3779B97F4A7C15UL));
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var h = 14695981039346656037UL;
        foreach (var x in bytes)
        {
            h = unchecked((h ^ x) * 1099511628211UL);
        }

        return h;
    }

    public void View(int slot, ProductView view, string? skuToCategorise)
    {
        _views.Add(slot, view);
        _viewSkus.Add(slot, skuToCategorise);
    }

    public void Line(int slot, PurchaseLine line) => _lines.Add(slot, line);

    public void CouponOrder(int slot, string orderId)
    {
        (_couponOrders ??= []).Add((slot, orderId));
        _hasCoupons[slot] = true;
    }

    /// <summary>Whether the customer had any order with a coupon (so the order id is worth reading).</summary>
    public bool HasCouponOrders(int slot) => _hasCoupons[slot];

    public bool IsCouponOrder(int slot, string orderId) => _couponOrders is { } c && c.Contains((slot, orderId));

    public void Offer(int slot, string name)
    {
        switch (name)
        {
            case NeedsEvents.PromotionViewed:
                _offersShown[slot]++;
                break;
            case NeedsEvents.PromotionClicked:
                _offersAccepted[slot]++;
                break;
            case NeedsEvents.CouponApplied:
                _offersAccepted[slot]++;
                _coupons[slot]++;
                break;
        }
    }

    public void State(int slot, PreferenceStatement s)
    {
        _statements ??= [];
        if (!_statements.TryGetValue(slot, out var list))
        {
            _statements[slot] = list = [];
        }

        list.Add(s);
    }

    /// <summary>
    /// The catalogue's word on the range's products: each line takes its product's category and
    /// list price (none when the product is not in the catalogue, as a LEFT JOIN gives), and views
    /// that named a product but no category take the product's category when it has one. One
    /// lookup per row here instead of the products join per line (two B-tree descents each).
    /// </summary>
    public void Catalogue(Dictionary<string, (string? Category, long? PriceE4)> products)
    {
        for (var i = 0; i < _views.Count; i++)
        {
            if (_viewSkus.Items[i] is { } sku && products.TryGetValue(sku, out var p) && p.Category is { } category)
            {
                _views.Items[i] = _views.Items[i] with { Category = category };
            }
        }

        for (var i = 0; i < _lines.Count; i++)
        {
            ref var line = ref _lines.Items[i];
            line = products.TryGetValue(line.Sku, out var p)
                ? line with { Category = p.Category, ListPriceE4 = p.PriceE4 }
                : line with { Category = null, ListPriceE4 = null };
        }
    }

    /// <summary>The products the range's lines and uncategorised views name (each once).</summary>
    public HashSet<string> Products()
    {
        var skus = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < _lines.Count; i++)
        {
            skus.Add(_lines.Items[i].Sku);
        }

        for (var i = 0; i < _viewSkus.Count; i++)
        {
            if (_viewSkus.Items[i] is { } sku)
            {
                skus.Add(sku);
            }
        }

        return skus;
    }

    /// <summary>
    /// Each customer's history. Views and lines are in time order (stable: equal times keep the
    /// store's order). SQLite returns them so already (the customer index is by time);
    /// PostgreSQL's hash joins need not, and the decayed sums, to the last bit, depend on the
    /// order they are added in.
    /// </summary>
    public Dictionary<long, NeedsHistory> Build()
    {
        var n = _slots.Count;
        var (views, viewStart) = _views.ByCustomer(n);
        var (lines, lineStart) = _lines.ByCustomer(n);
        var (channels, channelStart) = _channels.ByCustomer(n);
        var result = new Dictionary<long, NeedsHistory>(n);
        for (var slot = 0; slot < n; slot++)
        {
            var (from, to) = (channelStart[slot], channelStart[slot + 1]);
            result[_ids[slot]] = new NeedsHistory(
                ChannelCounts.Of(channels, from, to, purchases: false),
                ChannelCounts.Of(channels, from, to, purchases: true),
                ByTime(views, viewStart[slot], viewStart[slot + 1], static v => v.At),
                ByTime(lines, lineStart[slot], lineStart[slot + 1], static l => l.At),
                _offersShown[slot],
                _offersAccepted[slot],
                _coupons[slot],
                _statements is { } s && s.TryGetValue(slot, out var list) ? list : []);
        }

        return result;
    }

    private static IReadOnlyList<T> ByTime<T>(T[] items, int start, int end, Func<T, long> at)
    {
        for (var i = start + 1; i < end; i++)
        {
            if (at(items[i - 1]) > at(items[i]))
            {
                // Out of order (PostgreSQL): a stable sort of this customer's window, in place.
                var sorted = items[start..end].Select((x, j) => (x, j)).OrderBy(p => at(p.x)).ThenBy(p => p.j).Select(p => p.x).ToArray();
                sorted.CopyTo(items, start);
                break;
            }
        }

        return new ArraySegment<T>(items, start, end - start);
    }
}
