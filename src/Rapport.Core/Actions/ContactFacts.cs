using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Actions;

/// <summary>
/// What the write half of a decision reads about the customer: the identifier decisions are filed
/// under, the consent state, recent contacts per channel and every past decision per action.
/// Read and changed only inside the single writer (so no concurrent request can see a count
/// before another's decision is added); the engine adds its own decisions and contacts in place.
/// Contacts are held from a week before <see cref="LoadedAt"/>, enough for the weekly maximum of
/// any later moment.
/// </summary>
internal sealed class ContactFacts(Identifier identifier, ConsentState consent, DateTimeOffset loadedAt,
    Dictionary<string, List<DateTimeOffset>> contacts, Dictionary<long, List<DateTimeOffset>> decisions)
{
    public Identifier Identifier => identifier;

    public ConsentState Consent => consent;

    public DateTimeOffset LoadedAt => loadedAt;

    /// <summary>Contacts on <paramref name="channel"/> in (at − 7 days, at], as ContactPolicy counts them.</summary>
    public int ContactsInWeek(string channel, DateTimeOffset at) =>
        contacts.TryGetValue(channel, out var times) ? times.Count(t => t > at.AddDays(-7) && t <= at) : 0;

    public IReadOnlyList<DateTimeOffset> Decisions(long action) => decisions.TryGetValue(action, out var times) ? times : [];

    public void AddContact(string channel, DateTimeOffset at)
    {
        if (!contacts.TryGetValue(channel, out var times))
        {
            contacts[channel] = times = [];
        }

        times.RemoveAll(t => t <= at.AddDays(-8)); // bounded: older contacts count for no window any more
        times.Add(at);
    }

    public void AddDecision(long action, DateTimeOffset at)
    {
        if (!decisions.TryGetValue(action, out var times))
        {
            decisions[action] = times = [];
        }

        times.Add(at);
    }

    /// <summary>Four indexed reads in the caller's write; null when the customer has no identifier.</summary>
    public static async Task<ContactFacts?> LoadAsync(UnitOfWork unit, long customer, ConsentOptions options, DateTimeOffset now)
    {
        var (c, tx) = (unit.Connection, unit.Transaction);
        if (await ConsentLedger.StrongestIdentifierAsync(c, tx, unit.Dialect, customer) is not { } identifier)
        {
            return null;
        }

        var consent = ConsentState.Fold(await ConsentLedger.ReadAsync(c, tx, customer), options);
        var since = UnixTime.ToStorage(now.AddDays(-7));
        var contacts = (await c.QueryAsync<(string Channel, long At)>(
                """
                SELECT l.channel, l.at FROM contact_log l JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
                WHERE i.customer_id = @customer AND l.at > @since
                """,
                new { customer, since }, tx))
            .GroupBy(r => r.Channel, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => UnixTime.FromStorage(r.At)).ToList(), StringComparer.Ordinal);
        var decisions = (await DecisionLog.CustomerDecisionsAsync(unit, customer))
            .GroupBy(r => r.Action)
            .ToDictionary(g => g.Key, g => g.Select(r => r.At).ToList());
        return new ContactFacts(identifier, consent, now, contacts, decisions);
    }
}
