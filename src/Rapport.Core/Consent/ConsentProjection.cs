using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Consent;

/// <summary>
/// Appends to the consent ledger, in the ingest transaction, what collected events say about
/// consent (track "Consent Updated", consent_* traits). The collection API has already rejected
/// messages with unknown purposes or channels; events made inside Rapport (imports, the demo)
/// contribute the entries that read correctly.
/// </summary>
public sealed class ConsentProjection : IEventProjection
{
    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        foreach (var s in events)
        {
            var e = s.Event;
            if (e.Traits is null && !(e.Type == "track" && e.Name == ConsentMessages.EventName))
            {
                continue; // the common case: nothing to do with consent, and no JSON is touched
            }

            if (ConsentMessages.Read(e, out _) is { } update)
            {
                await ConsentLedger.AppendAsync(unit, s.Primary, update, e.MessageId, e.OccurredAt);
            }
        }
    }

    /// <summary>Nothing to rebuild: ledger rows follow their identifier through merges (see ConsentLedger).</summary>
    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => Task.CompletedTask;
}
