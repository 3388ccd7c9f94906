using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Actions;

/// <summary>
/// Keeps <see cref="DecisionFactsCache"/> fresh. As an event projection it marks the customers of
/// every stored event and every rebuilt customer (merges, undone merges, erasure); as the last
/// before-commit hook it drops what the unit marked: at once (so the next member of a commit
/// group, which runs before the COMMIT, reads the store again), and again after the commit (a
/// read outside the writer may have refilled from the old rows meanwhile) or the rollback (a fill
/// inside the writer may have read rows that are now gone).
/// </summary>
public sealed class DecisionFactsInvalidation(DecisionFactsCache cache) : IEventProjection, IBeforeCommit
{
    public Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        foreach (var e in events)
        {
            unit.CustomersChanged.Add(e.CustomerId);
        }

        return Task.CompletedTask;
    }

    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        unit.CustomersChanged.UnionWith(customers);
        return Task.CompletedTask;
    }

    public Task BeforeCommitAsync(UnitOfWork unit, CancellationToken cancellationToken)
    {
        // Customers still waiting for the rebuilder (when it runs after this hook) change too.
        unit.CustomersChanged.UnionWith(unit.CustomersToRebuild);
        if (unit.EveryCustomerChanged)
        {
            unit.EveryCustomerChanged = false;
            unit.CustomersChanged.Clear();
            cache.DropAll();
            unit.OnCommit(cache.DropAll);
            unit.OnRollback(cache.DropAll);
            return Task.CompletedTask;
        }

        if (unit.CustomersChanged.Count == 0)
        {
            return Task.CompletedTask;
        }

        var changed = unit.CustomersChanged.ToArray();
        unit.CustomersChanged.Clear();
        void Drop()
        {
            foreach (var customer in changed)
            {
                cache.Drop(customer);
            }
        }

        Drop();
        unit.OnCommit(Drop);
        unit.OnRollback(Drop);
        return Task.CompletedTask;
    }
}
