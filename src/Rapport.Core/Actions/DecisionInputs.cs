using System.Globalization;
using System.Text;
using Rapport.Core.Consent;
using Rapport.Engine.Decisioning;

namespace Rapport.Core.Actions;

/// <summary>
/// Everything a decision reads, written out as text without deciding or writing anything: what
/// the cache must always agree with the store on. Tests compare an engine with a cache against
/// one without after each kind of change; it also helps explain a surprising decision.
/// </summary>
public sealed partial class NextBestActionEngine
{
    /// <returns>Null for an unknown customer.</returns>
    public async Task<string?> InputsAsync(long id, string channel, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var loaded = await catalog.CurrentAsync(ct);
        if (await _facts.GetAsync(id, ct) is not { } known)
        {
            return null;
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"customer {known.Customer}");
        text.AppendLine(CultureInfo.InvariantCulture, $"segments {string.Join(", ", known.Segments.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"facts {string.Join(", ", known.Facts.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"conditions {string.Join("", (await _facts.ConditionsAsync(known, loaded, now, ct)).Select(m => m ? '1' : '0'))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"products {string.Join(", ", (await _facts.NamedProductsAsync(loaded, channel, ct)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"suggestions {string.Join(", ", (await _facts.SuggestionsAsync(known, MaxLimit, ct)).Select(p => $"{p.Sku}/{p.Source}/{p.Name}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"balance {await _facts.BalanceAsync(known, ct)}");
        text.Append(await writer.WriteGroupedAsync(async unit =>
        {
            if (await ContactFactsAsync(unit, known.Customer, now) is not { } contact)
            {
                return "no identifier\n";
            }

            var counters = await CountersAsync(unit);

            var inner = new StringBuilder();
            inner.AppendLine(CultureInfo.InvariantCulture, $"identifier {contact.Identifier.Kind}:{contact.Identifier.Value}");
            inner.AppendLine(CultureInfo.InvariantCulture, $"consent {string.Join(", ", contact.Consent.Answers().Where(a => a.Granted).Select(a => $"{a.Purpose}.{a.Channel}"))}");
            inner.AppendLine(CultureInfo.InvariantCulture, $"paused {contact.Consent.PausedUntil} quiet {contact.Consent.QuietHours} zone {contact.Consent.TimeZone}");
            foreach (var c in ConsentVocabulary.Channels)
            {
                inner.AppendLine(CultureInfo.InvariantCulture, $"contacts {c} {contact.ContactsInWeek(c, now)} of {contact.Consent.MaxPerWeek(c)}");
            }

            foreach (var a in loaded.Actions)
            {
                var h = History(counters, contact, a.Spec.Id);
                inner.AppendLine(CultureInfo.InvariantCulture,
                    $"action {a.Spec.Id} issued {h.IssuedTotal} accepted {h.Accepted} ignored {h.Ignored} mine {string.Join(" ", h.CustomerDecisions.Order().Select(d => d.ToUnixTimeMilliseconds()))}");
            }

            return inner.ToString();
        }, ct));
        return text.ToString();
    }
}
