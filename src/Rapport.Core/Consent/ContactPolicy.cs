using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Consent;

/// <summary>
/// Proof that <see cref="ContactPolicy"/> allowed one contact. Only the policy makes them (the
/// constructor is private to this assembly's policy), senders and the decision engine take a
/// permit rather than a customer id, and <see cref="ContactPolicy.RecordAsync"/> logs the contact
/// so weekly maximums count it. A permit is for one purpose, one channel and one moment.
/// </summary>
public sealed class ContactPermit
{
    private ContactPermit(long customer, Identifier identifier, string purpose, string channel, DateTimeOffset at)
    {
        Customer = customer;
        Identifier = identifier;
        Purpose = purpose;
        Channel = channel;
        At = at;
    }

    public long Customer { get; }

    public string Purpose { get; }

    public string Channel { get; }

    public DateTimeOffset At { get; }

    internal Identifier Identifier { get; }

    internal bool Used { get; set; }

    internal static ContactPermit Issue(long customer, Identifier identifier, string purpose, string channel, DateTimeOffset at) =>
        new(customer, identifier, purpose, channel, at);
}

/// <summary>The gate's answer: the check, and a permit when it allows the contact.</summary>
public sealed record ContactDecision(ContactCheck Check, ContactPermit? Permit)
{
    public bool Allowed => Check.Allowed;
}

/// <summary>
/// The one gate every contact goes through: consent for the purpose on the channel, a pause,
/// quiet hours in the customer's time zone and the weekly maximum per channel
/// (<see cref="ContactRules"/>). Senders (issue 5) and the next-best-action engine call
/// <see cref="TryContactAsync"/> inside their write, which checks and logs the contact in the same
/// transaction of the single writer, so two concurrent sends cannot both take the last slot.
/// </summary>
public sealed class ContactPolicy(IDatabase database, ConsentOptions options)
{
    public ConsentOptions Options => options;

    /// <summary>
    /// The gate on state the caller already holds (the next-best-action engine's in-memory facts,
    /// read inside the single writer): the same rule and permit as <see cref="CheckAsync(DbConnection, DbTransaction?, long, string, string, DateTimeOffset)"/>.
    /// </summary>
    internal static ContactDecision Check(long customer, Identifier identifier, ConsentState state, string purpose, string channel, DateTimeOffset at, int contacts)
    {
        var check = ContactRules.Evaluate(state, purpose, channel, at, state.MaxPerWeek(channel) is null ? 0 : contacts);
        return new(check, check.Allowed ? ContactPermit.Issue(customer, identifier, purpose, channel, at) : null);
    }

    /// <summary>Checks without recording (previews, the preference page). Unknown purpose or channel throws.</summary>
    public async Task<ContactDecision?> CheckAsync(long customer, string purpose, string channel, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await CheckAsync(c, null, customer, purpose, channel, at);
    }

    /// <summary>Checks inside a write; null when the customer does not exist.</summary>
    public async Task<ContactDecision?> CheckAsync(DbConnection c, DbTransaction? tx, long customer, string purpose, string channel, DateTimeOffset at)
    {
        if (!ConsentVocabulary.IsPurpose(purpose))
        {
            throw new ArgumentException(ConsentVocabulary.UnknownPurpose(purpose), nameof(purpose));
        }

        if (!ConsentVocabulary.IsChannel(channel))
        {
            throw new ArgumentException(ConsentVocabulary.UnknownChannel(channel), nameof(channel));
        }

        if (await ConsentLedger.StrongestIdentifierAsync(c, tx, database.Dialect, customer) is not { } identifier)
        {
            return null;
        }

        var state = ConsentState.Fold(await ConsentLedger.ReadAsync(c, tx, customer), options);
        var contacts = state.MaxPerWeek(channel) is null ? 0 : await ContactsAsync(c, tx, customer, channel, at.AddDays(-7), at);
        var check = ContactRules.Evaluate(state, purpose, channel, at, contacts);
        return new(check, check.Allowed ? ContactPermit.Issue(customer, identifier, purpose, channel, at) : null);
    }

    /// <summary>The facts for checking many customers' contacts on one channel at once (<see cref="ContactRound"/>).</summary>
    public Task<ContactRound> ReadRoundAsync(IReadOnlyCollection<long> customers, string channel, DateTimeOffset at, CancellationToken ct = default) =>
        ContactRound.ReadAsync(database, options, customers, channel, at, ct);

    /// <summary>Checks and, when allowed, logs the contact in the caller's write transaction.</summary>
    public async Task<ContactDecision?> TryContactAsync(UnitOfWork unit, long customer, string purpose, string channel, DateTimeOffset at, string reference)
    {
        var decision = await CheckAsync(unit.Connection, unit.Transaction, customer, purpose, channel, at);
        if (decision?.Permit is { } permit)
        {
            await RecordAsync(unit, permit, reference);
        }

        return decision;
    }

    /// <summary>Logs the contact a permit allowed; a permit is good for one contact.</summary>
    public static Task RecordAsync(UnitOfWork unit, ContactPermit permit, string reference)
    {
        // Cached contact counts of this customer (next best action) must be read again.
        unit.CustomersChanged.Add(permit.Customer);
        return RecordUnmarkedAsync(unit, permit, reference);
    }

    /// <summary>For a caller that updates its own in-memory contact counts in the same write.</summary>
    internal static async Task RecordUnmarkedAsync(UnitOfWork unit, ContactPermit permit, string reference)
    {
        if (permit.Used)
        {
            throw new InvalidOperationException("This contact permit was used already; check the policy again for another contact.");
        }

        permit.Used = true;

        // Compiled once per transaction: the outbox logs every sent message of a round here.
        await unit.Statement(
                "INSERT INTO contact_log (id_kind, id_value, channel, purpose, reference, at) VALUES (@kind, @value, @channel, @purpose, @reference, @at)",
                "@kind", "@value", "@channel", "@purpose", "@reference", "@at")
            .ExecuteAsync(permit.Identifier.Kind, permit.Identifier.Value, permit.Channel, permit.Purpose, reference, UnixTime.ToStorage(permit.At));
    }

    /// <summary>Contacts on a channel in (from, to].</summary>
    public static async Task<int> ContactsAsync(DbConnection c, DbTransaction? tx, long customer, string channel, DateTimeOffset from, DateTimeOffset to) =>
        (int)await c.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM contact_log l JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
            WHERE i.customer_id = @customer AND l.channel = @channel AND l.at > @from AND l.at <= @to
            """,
            new { customer, channel, from = UnixTime.ToStorage(from), to = UnixTime.ToStorage(to) },
            tx);
}
