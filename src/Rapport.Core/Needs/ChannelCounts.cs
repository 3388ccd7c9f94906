using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Rapport.Core.Needs;

/// <summary>A channel's interactions or purchases of one customer, as read in bulk.</summary>
internal readonly record struct ChannelCount(string Channel, long Count, bool Purchase);

/// <summary>
/// One customer's interactions (or purchases) by channel: a read-only window onto the bulk
/// read's shared array, searched linearly (a customer has a handful of channels), instead of a
/// dictionary per customer. Each channel appears once (the queries group by customer and channel).
/// </summary>
internal sealed class ChannelCounts : IReadOnlyDictionary<string, long>
{
    private static readonly ChannelCounts None = new([], 0, 0, false);
    private readonly ChannelCount[] _items;
    private readonly int _start;
    private readonly int _end;
    private readonly bool _purchases;

    private ChannelCounts(ChannelCount[] items, int start, int end, bool purchases)
    {
        (_items, _start, _end, _purchases) = (items, start, end, purchases);
        for (var i = start; i < end; i++)
        {
            Count += items[i].Purchase == purchases ? 1 : 0;
        }
    }

    public static ChannelCounts Of(ChannelCount[] items, int start, int end, bool purchases) =>
        start == end ? None : new ChannelCounts(items, start, end, purchases);

    public int Count { get; }

    public long this[string key] => TryGetValue(key, out var n) ? n : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => this.Select(x => x.Key);

    public IEnumerable<long> Values => this.Select(x => x.Value);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out long value)
    {
        for (var i = _start; i < _end; i++)
        {
            ref readonly var x = ref _items[i];
            if (x.Purchase == _purchases && string.Equals(x.Channel, key, StringComparison.Ordinal))
            {
                value = x.Count;
                return true;
            }
        }

        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, long>> GetEnumerator()
    {
        for (var i = _start; i < _end; i++)
        {
            if (_items[i].Purchase == _purchases)
            {
                yield return new KeyValuePair<string, long>(_items[i].Channel, _items[i].Count);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
