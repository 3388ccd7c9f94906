using System.Collections.Concurrent;

namespace Rapport.Core.Actions;

/// <summary>The drop counters a fill started under: everything (epoch) and the customer's stripe.</summary>
public readonly record struct FillStamp(long Epoch, long Stripe);

/// <summary>
/// What next best action reads about a customer, held in memory so that a warm request does no
/// read query: the read side (<see cref="DecisionFacts"/>: segments, reason facts, condition
/// snapshot, product suggestions, reciprocity balance) filled outside the writer, and the write
/// side (<see cref="ContactFacts"/>: identifier, consent, contacts, the customer's decisions) and
/// the action counters, filled and changed only inside the single writer.
/// <para>
/// Freshness: every write that changes a customer's facts marks them on its unit (the event
/// projections by the events' customers, merges and erasure through CustomersToRebuild, other
/// writers through UnitOfWork.CustomersChanged); <see cref="DecisionFactsInvalidation"/> drops
/// them before the next write runs and again at commit and rollback. A read-side fill that raced
/// with such a drop is not stored (<see cref="Stamp"/>), so a fill never brings back what a
/// commit just changed.
/// </para>
/// <para>
/// Memory: at most <see cref="Capacity"/> customers on each side; when full, about a tenth of the
/// entries are dropped (an arbitrary tenth: cheap, and a dropped customer costs one refill).
/// Measured (nbacpu scenario): about 4.5 KB of managed heap per customer for both sides, most of
/// it, by estimate, the ten product suggestions with their reason sentences; so about 450 MB at the default cap.
/// </para>
/// </summary>
public sealed class DecisionFactsCache(int capacity = DecisionFactsCache.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private const int Stripes = 4096;
    private readonly ConcurrentDictionary<long, DecisionFacts> _read = new();
    private readonly ConcurrentDictionary<long, ContactFacts> _write = new();
    private readonly ConcurrentDictionary<(ActionCatalog.Loaded, string), IReadOnlyDictionary<string, (string Name, bool Available)>> _named = new();
    private readonly long[] _stripes = new long[Stripes];
    private long _epoch;

    public int Capacity => capacity;

    public int ReadCount => _read.Count;

    public int WriteCount => _write.Count;

    /// <summary>The action counters (issued, accepted, ignored), loaded inside the writer; null until then or after a rollback.</summary>
    internal Dictionary<long, (long Issued, long Accepted, long Ignored)>? Counters { get; set; }

    /// <summary><see cref="DecisionLog.CounterWrites"/> that <see cref="Counters"/> include.</summary>
    internal long CountersSeen { get; set; }

    /// <summary>Taken before a read-side fill reads the store: the fill is stored only if no drop touched the customer meanwhile.</summary>
    public FillStamp Stamp(long customer) => new(Volatile.Read(ref _epoch), Volatile.Read(ref _stripes[Stripe(customer)]));

    public DecisionFacts? Read(long customer) => _read.TryGetValue(customer, out var facts) ? facts : null;

    public void StoreRead(long customer, FillStamp stamp, DecisionFacts facts)
    {
        MakeRoom(_read);
        _read[customer] = facts;

        // A drop after the stamp was taken may have run before this store: undo the store then.
        if (Stamp(customer) != stamp)
        {
            _read.TryRemove(new KeyValuePair<long, DecisionFacts>(customer, facts));
        }
    }

    /// <summary>Only inside the writer.</summary>
    internal ContactFacts? Write(long customer) => _write.TryGetValue(customer, out var facts) ? facts : null;

    /// <summary>Only inside the writer (so no drop can race with it).</summary>
    internal void StoreWrite(long customer, ContactFacts facts)
    {
        MakeRoom(_write);
        _write[customer] = facts;
    }

    /// <summary>Names and availability of the products the catalogue's actions name, per catalogue version and channel.</summary>
    internal IReadOnlyDictionary<string, (string Name, bool Available)>? Named(ActionCatalog.Loaded catalog, string channel) =>
        _named.TryGetValue((catalog, channel), out var named) ? named : null;

    internal void StoreNamed(ActionCatalog.Loaded catalog, string channel, FillStamp stamp, IReadOnlyDictionary<string, (string Name, bool Available)> named)
    {
        if (_named.Count > 64)
        {
            _named.Clear(); // old catalogue versions
        }

        _named[(catalog, channel)] = named;
        if (Volatile.Read(ref _epoch) != stamp.Epoch)
        {
            _named.TryRemove((catalog, channel), out _);
        }
    }

    public void Drop(long customer)
    {
        Interlocked.Increment(ref _stripes[Stripe(customer)]);
        _read.TryRemove(customer, out _);
        _write.TryRemove(customer, out _);
    }

    public void DropAll()
    {
        Interlocked.Increment(ref _epoch);
        _read.Clear();
        _write.Clear();
        _named.Clear();
        Counters = null;
    }

    private static int Stripe(long customer) => (int)((ulong)customer % Stripes);

    private void MakeRoom<T>(ConcurrentDictionary<long, T> map)
    {
        if (map.Count < capacity)
        {
            return;
        }

        var drop = Math.Max(1, capacity / 10);
        foreach (var key in map.Keys.Take(drop))
        {
            map.TryRemove(key, out _);
        }
    }
}
