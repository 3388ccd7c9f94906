using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Segments;

/// <summary>
/// Hooks live membership into the write path: as a projection it collects the batch's events and
/// the customers whose events moved (merges); as the last before-commit step it hands them to
/// <see cref="SegmentRuntime"/>, after every projection (traits, orders, value) has written, so
/// re-read fields are current. Register it as an IBeforeCommit after CustomerStateRebuilder.
/// </summary>
public sealed class SegmentProjection(SegmentRuntime runtime) : IEventProjection, IBeforeCommit
{
    public Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        runtime.PendingFor(unit).Events.AddRange(events);
        return Task.CompletedTask;
    }

    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        runtime.PendingFor(unit).Rebuild.UnionWith(customers);
        return Task.CompletedTask;
    }

    public Task BeforeCommitAsync(UnitOfWork unit, CancellationToken cancellationToken) => runtime.ProcessAsync(unit, cancellationToken);
}
