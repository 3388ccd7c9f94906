using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

/// <summary>
/// The customers whose needs must be recomputed (table needs_pending), marked by ingestion and
/// merges in their own transaction, and the wake-up signal for <see cref="NeedsRefresher"/>.
/// Kept apart from the refresher so projections do not depend on the store writer.
/// </summary>
public sealed class NeedsPending
{
    private readonly SemaphoreSlim _work = new(0, 1);

    /// <summary>Marks customers for a refresh in the caller's transaction and wakes the refresher once it commits.</summary>
    public async Task MarkAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        if (customers.Count == 0)
        {
            return;
        }

        var mark = unit.Statement(
            "INSERT INTO needs_pending (customer_id, seq) VALUES (@customer, 1) ON CONFLICT (customer_id) DO UPDATE SET seq = needs_pending.seq + 1",
            "@customer");
        foreach (var customer in customers)
        {
            await mark.ExecuteAsync(customer);
        }

        unit.OnCommit(Wake);
    }

    /// <summary>Signals that pending customers exist (at most one wake-up is remembered).</summary>
    public void Wake()
    {
        lock (_work)
        {
            if (_work.CurrentCount == 0)
            {
                _work.Release();
            }
        }
    }

    /// <summary>Waits until something was marked since the last wait.</summary>
    public Task WaitAsync(CancellationToken ct) => _work.WaitAsync(ct);
}
