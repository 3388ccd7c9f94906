using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Consent;

/// <summary>
/// Appends to the consent ledger, in the ingest transaction, what collected events say about
/// consent (track "Consent Updated", consent_* identify traits). The collection API has already
/// rejected messages with unknown purposes or channels; events made inside Rapport (imports, the
/// demo) contribute the entries that read correctly. Traits are re-sent with every identify by
/// many libraries, so a trait answer equal to the customer's current one is not appended again
/// (one ledger read per identify that carries consent traits); an explicit "Consent Updated" is
/// always recorded, as a confirmation.
/// </summary>
public sealed class ConsentProjection : IEventProjection
{
    private static readonly ConsentOptions Unanswered = new();

    public async Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events)
    {
        foreach (var s in events)
        {
            var e = s.Event;
            if (!ConsentMessages.MayCarryConsent(e))
            {
                continue; // the common case: nothing to do with consent, and no JSON is touched
            }

            if (ConsentMessages.Read(e, out _) is not { } update)
            {
                continue;
            }

            if (e.Type == "identify")
            {
                var current = ConsentState.Fold(await ConsentLedger.ReadAsync(unit.Connection, unit.Transaction, s.CustomerId), Unanswered);
                update = update with { Entries = update.Entries.Where(x => current.Value(x.Item) != x.Value).ToList() };
            }

            if (update.Entries.Count > 0)
            {
                await ConsentLedger.AppendAsync(unit, s.Primary, update, e.MessageId, e.OccurredAt);
            }
        }
    }

    /// <summary>Nothing to rebuild: ledger rows follow their identifier through merges (see ConsentLedger).</summary>
    public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => Task.CompletedTask;
}
