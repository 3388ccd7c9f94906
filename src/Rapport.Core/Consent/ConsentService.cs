using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Consent;

/// <summary>A page of the ledger, newest first.</summary>
public sealed record ConsentHistoryPage(IReadOnlyList<ConsentHistoryItem> Items, string? NextCursor);

public sealed record ConsentHistoryItem(long Id, string Item, string Value, string Source, string MessageId, DateTimeOffset At);

/// <summary>
/// Reads and changes a customer's consent. A change is one track "Consent Updated" event on the
/// customer's timeline (channel web, context.library rapport-consent, properties source and
/// changes; one of Rapport's own events, <see cref="OwnEvents"/>) plus its ledger rows, in one
/// transaction through the single writer.
/// </summary>
public sealed class ConsentService(IDatabase database, StoreWriter writer, ConsentOptions options, TimeProvider clock)
{
    public const int MaxPageSize = 200;

    private static readonly string Context = new JsonObject { ["library"] = new JsonObject { ["name"] = "rapport-consent" } }.ToJsonString();

    public ConsentOptions Options => options;

    /// <returns>The customer's state (id resolved through merges), or null for an unknown customer.</returns>
    public async Task<(long Customer, ConsentState State)?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        if (await ConsentLedger.CurrentCustomerAsync(c, null, id) is not { } customer)
        {
            return null;
        }

        return (customer, ConsentState.Fold(await ConsentLedger.ReadAsync(c, null, customer), options));
    }

    public async Task<ConsentHistoryPage?> HistoryAsync(long id, int limit, long? before, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        if (await ConsentLedger.CurrentCustomerAsync(c, null, id) is not { } customer)
        {
            return null;
        }

        var rows = await ConsentLedger.HistoryAsync(c, customer, limit + 1, before);
        var items = rows.Take(limit).Select(r => new ConsentHistoryItem(r.Id, r.Entry.Item, r.Entry.Value, r.Entry.Source, r.Entry.MessageId, r.Entry.At)).ToList();
        return new(items, rows.Count > limit ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    /// <summary>
    /// Records a change. With <paramref name="replace"/> (PUT) every item the change does not
    /// mention and the customer had answered is withdrawn, so the state becomes exactly the
    /// request plus defaults. Entries equal to the current state are still recorded: the ledger
    /// shows that the customer confirmed them.
    /// </summary>
    /// <returns>The new state, or null for an unknown customer.</returns>
    public Task<(long Customer, ConsentState State)?> UpdateAsync(long id, ConsentUpdate update, bool replace, CancellationToken ct = default) =>
        writer.WriteAsync(unit => UpdateAsync(unit, id, update, replace, null, ct), ct);

    /// <summary>
    /// Records a change inside the caller's transaction (an inbound SMS keyword, with the identity
    /// it created). <paramref name="messageId"/> names the change's event: a caller that might
    /// repeat the change (a provider retrying a webhook) passes its own and checks for it first.
    /// </summary>
    public async Task<(long Customer, ConsentState State)?> UpdateAsync(UnitOfWork unit, long id, ConsentUpdate update, bool replace, string? messageId, CancellationToken ct = default)
    {
        if (await ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, id) is not { } customer
            || await ConsentLedger.StrongestIdentifierAsync(unit.Connection, unit.Transaction, unit.Dialect, customer) is not { } identifier)
        {
            return null;
        }

        var entries = update.Entries.ToList();
        if (replace)
        {
            var before = ConsentState.Fold(await ConsentLedger.ReadAsync(unit.Connection, unit.Transaction, customer), options);
            var given = entries.Select(e => e.Item).ToHashSet(StringComparer.Ordinal);
            entries.AddRange(AnsweredItems(before).Where(i => !given.Contains(i)).Select(i => new ConsentEntry(i, "")));
        }

        var change = update with { Entries = entries };
        var at = clock.GetUtcNow();
        messageId ??= $"consent:{customer}:{Guid.NewGuid():N}";
        var properties = new JsonObject
        {
            ["source"] = change.Source,
            ["replace"] = replace,
            ["changes"] = new JsonObject(entries.Select(e => KeyValuePair.Create(e.Item, (JsonNode?)e.Value))),
        };
        var e = new IncomingEvent(messageId, "track", ConsentMessages.EventName, Channels.Web, null, null, UnixTime.FromStorage(unit.Now), properties, null, null)
        {
            ContextJson = Context,
        };
        await OwnEvents.AppendAsync(unit, new OwnEvent(e, customer, identifier), ct);
        await ConsentLedger.AppendAsync(unit, identifier, change, messageId, at);
        unit.CustomersChanged.Add(customer); // cached consent (next best action) is read again
        return (customer, ConsentState.Fold(await ConsentLedger.ReadAsync(unit.Connection, unit.Transaction, customer), options));
    }

    private static IEnumerable<string> AnsweredItems(ConsentState state)
    {
        var items = ConsentVocabulary.Purposes.SelectMany(p => ConsentVocabulary.Channels.Select(c => ConsentEntry.Pair(p, c)))
            .Concat([ConsentEntry.TimeZone, ConsentEntry.QuietHours, ConsentEntry.PreferredChannel, ConsentEntry.PausedUntil])
            .Concat(ConsentVocabulary.Channels.Select(c => ConsentEntry.MaxPerWeekPrefix + c));
        return items.Where(i => state.Value(i) is not null);
    }
}
