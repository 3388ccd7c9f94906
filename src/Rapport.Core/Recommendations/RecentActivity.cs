using System.Collections.Concurrent;

namespace Rapport.Core.Recommendations;

/// <summary>Something a customer did with a product since the model was trained.</summary>
public readonly record struct RecentSignal(string Sku, float Weight, bool Bought, long Sequence);

/// <summary>
/// The cheap incremental part of freshness: what each customer viewed, added or bought since the
/// last retrain, kept in memory from the event stream. Queries add it to the customer's
/// affinity and to their bought items, so a purchase is not recommended back a second later and
/// a new visitor's first views already personalise. A retrain drops what it has absorbed.
/// </summary>
public sealed class RecentActivity
{
    private const int PerCustomer = 200;
    private readonly ConcurrentDictionary<long, List<RecentSignal>> _byCustomer = new();
    private long _sequence;

    public long Sequence => Interlocked.Read(ref _sequence);

    public void Add(long customer, string sku, float weight, bool bought)
    {
        while (true)
        {
            var list = _byCustomer.GetOrAdd(customer, _ => []);
            lock (list)
            {
                // DropUpTo may have removed this list from the map meanwhile: then add to the new one.
                if (!_byCustomer.TryGetValue(customer, out var current) || !ReferenceEquals(current, list))
                {
                    continue;
                }

                if (list.Count == PerCustomer)
                {
                    list.RemoveAt(0);
                }

                list.Add(new RecentSignal(sku, weight, bought, Interlocked.Increment(ref _sequence)));
                return;
            }
        }
    }

    /// <summary>Forgets one signal (its transaction rolled back).</summary>
    public void Remove(long customer, string sku, bool bought)
    {
        if (_byCustomer.TryGetValue(customer, out var list))
        {
            lock (list)
            {
                int at = list.FindLastIndex(s => s.Sku == sku && s.Bought == bought);
                if (at >= 0)
                {
                    list.RemoveAt(at);
                }
            }
        }
    }

    public RecentSignal[] For(long customer)
    {
        if (!_byCustomer.TryGetValue(customer, out var list))
        {
            return [];
        }

        lock (list)
        {
            return list.ToArray();
        }
    }

    /// <summary>Drops signals up to <paramref name="sequence"/>: a retrain that started after them has read them from the store.</summary>
    public void DropUpTo(long sequence)
    {
        foreach (var (customer, list) in _byCustomer)
        {
            lock (list)
            {
                list.RemoveAll(s => s.Sequence <= sequence);
                if (list.Count == 0)
                {
                    _byCustomer.TryRemove(new KeyValuePair<long, List<RecentSignal>>(customer, list));
                }
            }
        }
    }
}
