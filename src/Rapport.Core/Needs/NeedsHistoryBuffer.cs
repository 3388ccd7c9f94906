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
    private readonly Rows<ProductView> _views = new();
    private readonly Rows<string?> _viewSkus = new(); // per view, its product when it named no category
    private readonly Rows<PurchaseLine> _lines = new();
    private readonly Rows<ChannelCount> _channels = new();
    private Dictionary<int, List<PreferenceStatement>>? _statements;
    private HashSet<(int Slot, string OrderId)>? _couponOrders;
    private (long Id, int Slot) _last = (0, -1);

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

    public void Interactions(int slot, string channel, long count) => _channels.Add(slot, new ChannelCount(channel, count, Purchase: false));

    public void Purchases(int slot, string channel, long count) => _channels.Add(slot, new ChannelCount(channel, count, Purchase: true));

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

    /// <summary>Views that named a product but no category take the catalogue's category.</summary>
    public void Categorise(Dictionary<string, string> categories)
    {
        for (var i = 0; i < _views.Count; i++)
        {
            if (_viewSkus.Items[i] is { } sku && categories.TryGetValue(sku, out var category))
            {
                _views.Items[i] = _views.Items[i] with { Category = category };
            }
        }
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

    /// <summary>Rows of many customers, each tagged with its customer's slot, in the order read.</summary>
    private sealed class Rows<T>
    {
        public T[] Items = new T[1024];
        private int[] _slots = new int[1024];

        public int Count { get; private set; }

        public void Clear() => Count = 0; // the items are overwritten as the next range is read

        public void Add(int slot, T item)
        {
            if (Count == Items.Length)
            {
                Array.Resize(ref Items, Count * 2);
                Array.Resize(ref _slots, Count * 2);
            }

            Items[Count] = item;
            _slots[Count++] = slot;
        }

        /// <summary>The rows grouped by slot (a stable counting sort); customer s's rows are [start[s], start[s + 1]).</summary>
        public (T[] Items, int[] Start) ByCustomer(int customers)
        {
            var start = new int[customers + 1];
            var grouped = true;
            for (var i = 0; i < Count; i++)
            {
                start[_slots[i] + 1]++;
                grouped &= i == 0 || _slots[i - 1] <= _slots[i];
            }

            for (var s = 0; s < customers; s++)
            {
                start[s + 1] += start[s];
            }

            if (grouped)
            {
                return (Items, start); // already grouped (SQLite's range scans): nothing to move
            }

            var next = start[..^1];
            var items = new T[Count];
            for (var i = 0; i < Count; i++)
            {
                items[next[_slots[i]]++] = Items[i];
            }

            return (items, start);
        }
    }
}
