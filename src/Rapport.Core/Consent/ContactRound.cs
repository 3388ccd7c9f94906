using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Consent;

/// <summary>
/// The contact policy for a whole round of messages on one channel (the outbox claims hundreds
/// at a time). What <see cref="ContactPolicy.CheckAsync(long, string, string, DateTimeOffset, CancellationToken)"/>
/// reads per customer (the strongest identifier, the consent ledger, contacts on the channel in
/// the past week) is read once for every customer of the round, one query per kind, and each
/// message is then decided by the same rule (<see cref="ContactRules.Evaluate"/>) at its own
/// moment. Permits given earlier in the round count towards the weekly maximum, as the contacts
/// they log would if the messages were checked and sent one at a time; a permit whose message
/// then fails to send still counts for the rest of the round (stricter, never looser).
/// </summary>
public sealed class ContactRound
{
    private readonly Dictionary<long, Facts> _facts;
    private readonly Dictionary<long, int> _permitted = [];
    private readonly Lock _lock = new();

    private ContactRound(string channel, Dictionary<long, Facts> facts)
    {
        Channel = channel;
        _facts = facts;
    }

    /// <summary>The channel the round's contacts were counted on.</summary>
    public string Channel { get; }

    /// <summary>Reads the facts of <paramref name="customers"/> for contacts on <paramref name="channel"/> around <paramref name="at"/>.</summary>
    public static async Task<ContactRound> ReadAsync(
        IDatabase database, ConsentOptions options, IReadOnlyCollection<long> customers, string channel, DateTimeOffset at, CancellationToken ct = default)
    {
        if (!ConsentVocabulary.IsChannel(channel))
        {
            throw new ArgumentException(ConsentVocabulary.UnknownChannel(channel), nameof(channel));
        }

        var facts = new Dictionary<long, Facts>();
        if (customers.Count == 0)
        {
            return new ContactRound(channel, facts);
        }

        await using var c = await database.OpenAsync(ct);
        var dialect = database.Dialect;
        var identifiers = await Identity.StrongestIdentifiers.ForAsync(c, null, dialect, customers);
        var list = ValueList.Of(dialect, identifiers.Keys.ToList());
        var ledger = (await c.QueryAsync<(long Customer, string Item, string Value, string Source, string MessageId, long At)>(
                new CommandDefinition(
                    $"""
                    SELECT i.customer_id, l.item, l.value, l.source, l.message_id, l.at
                    FROM consent_ledger l JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
                    WHERE i.customer_id IN {ValueList.Sql(dialect, "@list")}
                    ORDER BY i.customer_id, l.at, l.id
                    """,
                    new { list },
                    cancellationToken: ct)))
            .ToLookup(r => r.Customer, r => new LedgerEntry(r.Item, r.Value, r.Source, r.MessageId, UnixTime.FromStorage(r.At)));
        var contacts = (await c.QueryAsync<(long Customer, long Count)>(
                new CommandDefinition(
                    $"""
                    SELECT i.customer_id, COUNT(*) FROM contact_log l JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
                    WHERE i.customer_id IN {ValueList.Sql(dialect, "@list")} AND l.channel = @channel AND l.at > @from AND l.at <= @to
                    GROUP BY i.customer_id
                    """,
                    new { list, channel, from = UnixTime.ToStorage(at.AddDays(-7)), to = UnixTime.ToStorage(at) },
                    cancellationToken: ct)))
            .ToDictionary(r => r.Customer, r => (int)r.Count);
        foreach (var (customer, identifier) in identifiers)
        {
            facts[customer] = new Facts(identifier, ConsentState.Fold(ledger[customer], options), contacts.GetValueOrDefault(customer));
        }

        return new ContactRound(channel, facts);
    }

    /// <summary>
    /// The decision for one contact on the round's channel at <paramref name="at"/>; null when
    /// the customer has no identifiers (merged or erased), as the single check. Thread-safe.
    /// </summary>
    public ContactDecision? Decide(long customer, string purpose, DateTimeOffset at)
    {
        var channel = Channel;
        if (!ConsentVocabulary.IsPurpose(purpose))
        {
            throw new ArgumentException(ConsentVocabulary.UnknownPurpose(purpose), nameof(purpose));
        }

        if (!_facts.TryGetValue(customer, out var f))
        {
            return null;
        }

        lock (_lock)
        {
            var earlier = _permitted.GetValueOrDefault(customer);
            var contacts = f.State.MaxPerWeek(channel) is null ? 0 : f.ContactsPastWeek + earlier;
            var check = ContactRules.Evaluate(f.State, purpose, channel, at, contacts);
            if (!check.Allowed)
            {
                return new(check, null);
            }

            _permitted[customer] = earlier + 1;
            return new(check, ContactPermit.Issue(customer, f.Identifier, purpose, channel, at));
        }
    }

    private sealed record Facts(Identifier Identifier, ConsentState State, int ContactsPastWeek);
}
