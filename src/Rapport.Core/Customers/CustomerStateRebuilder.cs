using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Customers;

/// <summary>
/// Before a write commits, recomputes the derived state (traits, cart) of every customer whose
/// events moved (a merge, a replayed identity component, an undone merge).
/// </summary>
public sealed class CustomerStateRebuilder(EventWriter events) : IBeforeCommit
{
    public async Task BeforeCommitAsync(UnitOfWork unit, CancellationToken cancellationToken)
    {
        if (unit.CustomersToRebuild.Count == 0)
        {
            return;
        }

        var customers = unit.CustomersToRebuild.ToList();
        unit.CustomersToRebuild.Clear();
        foreach (var projection in events.Projections)
        {
            await projection.RebuildAsync(unit, customers);
        }
    }
}
