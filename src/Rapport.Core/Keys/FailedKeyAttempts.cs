using System.Collections.Concurrent;

namespace Rapport.Core.Keys;

/// <summary>
/// Counts requests with an unknown API key per client address and refuses an address for the
/// rest of a one-minute window once it reaches the limit. Why: keys are random and stored hashed,
/// so guessing one is hopeless, but every unknown key costs a hash and a store read (known keys
/// are cached), so a flood of them is a cheap way to load the store. A missing key is not counted
/// (a misconfigured client, answered without a lookup).
/// </summary>
public sealed class FailedKeyAttempts(TimeProvider clock, int limitPerMinute = FailedKeyAttempts.DefaultLimit)
{
    public const int DefaultLimit = 20;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Bounds memory when many addresses fail at once; past it, expired windows are dropped first.
    private const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, Counter> _byAddress = new(StringComparer.Ordinal);

    /// <summary>Unknown keys an address may send per window; 0 turns the limit off.</summary>
    public int Limit => limitPerMinute;

    /// <summary>How long <paramref name="address"/> must wait; null when it may send.</summary>
    public TimeSpan? BlockedFor(string address)
    {
        if (limitPerMinute <= 0 || !_byAddress.TryGetValue(address, out var counter))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        lock (counter)
        {
            var left = counter.WindowStart + Window - now;
            return counter.Failures >= limitPerMinute && left > TimeSpan.Zero ? left : null;
        }
    }

    /// <summary>One more unknown key from <paramref name="address"/>.</summary>
    public void RecordFailure(string address)
    {
        if (limitPerMinute <= 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        if (_byAddress.Count >= MaxTracked)
        {
            DropExpired(now);
        }

        var counter = _byAddress.GetOrAdd(address, _ => new Counter { WindowStart = now });
        lock (counter)
        {
            if (now - counter.WindowStart >= Window)
            {
                counter.WindowStart = now;
                counter.Failures = 0;
            }

            counter.Failures++;
        }
    }

    private void DropExpired(DateTimeOffset now)
    {
        foreach (var (address, counter) in _byAddress)
        {
            if (now - counter.WindowStart >= Window)
            {
                _byAddress.TryRemove(address, out _);
            }
        }

        // Still full (thousands of addresses failing within one minute): start over rather than
        // grow without bound; the limit is a brake on floods, not an access control.
        if (_byAddress.Count >= MaxTracked)
        {
            _byAddress.Clear();
        }
    }

    private sealed class Counter
    {
        public DateTimeOffset WindowStart { get; set; }

        public int Failures { get; set; }
    }
}
