using System.Collections.Concurrent;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Erasure;

/// <summary>
/// The erased customers, held in memory (erasures are rare, the set is small) so the outbox can
/// check every message without a query. An erasure in this process adds to it when its write
/// commits; the set is re-read from erased_customers at most once a minute, so an erasure run by
/// `rapport erasure execute` in another process is honoured within a minute.
/// </summary>
public sealed class ErasedCustomers(IDatabase database, TimeProvider clock)
{
    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<long, byte> _erased = new();
    private readonly SemaphoreSlim _load = new(1, 1);
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public async ValueTask<bool> IsErasedAsync(long customer, CancellationToken ct = default)
    {
        if (clock.GetUtcNow() - _loadedAt >= Refresh)
        {
            await LoadAsync(ct);
        }

        return _erased.ContainsKey(customer);
    }

    internal void Add(IEnumerable<long> customers)
    {
        foreach (var c in customers)
        {
            _erased[c] = 0;
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await _load.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            if (now - _loadedAt < Refresh)
            {
                return;
            }

            await using var c = await database.OpenAsync(ct);
            Add(await c.QueryAsync<long>("SELECT customer_id FROM erased_customers"));
            _loadedAt = now;
        }
        finally
        {
            _load.Release();
        }
    }
}
