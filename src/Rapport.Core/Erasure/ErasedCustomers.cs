using System.Collections.Concurrent;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Erasure;

/// <summary>
/// The erased customers, held in memory (erasures are rare, the set is small) so the outbox can
/// check every message without a query. Loaded from erased_customers on first use; an erasure
/// adds to it when its transaction commits.
/// </summary>
public sealed class ErasedCustomers(IDatabase database)
{
    private readonly ConcurrentDictionary<long, byte> _erased = new();
    private readonly SemaphoreSlim _load = new(1, 1);
    private volatile bool _loaded;

    public async ValueTask<bool> IsErasedAsync(long customer, CancellationToken ct = default)
    {
        if (!_loaded)
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
            if (_loaded)
            {
                return;
            }

            await using var c = await database.OpenAsync(ct);
            Add(await c.QueryAsync<long>("SELECT customer_id FROM erased_customers"));
            _loaded = true;
        }
        finally
        {
            _load.Release();
        }
    }
}
