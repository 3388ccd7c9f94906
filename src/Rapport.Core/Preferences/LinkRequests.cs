using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Consent;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Preferences;

/// <summary>
/// What the visitor is told. <see cref="RetryAt"/> set: too many requests (nothing sent). The
/// reply is otherwise the same whether or not the address is known; <see cref="MessageId"/> is
/// for tests and logs only, never shown.
/// </summary>
public sealed record LinkRequestOutcome(DateTimeOffset? RetryAt, long? MessageId)
{
    public bool Limited => RetryAt is not null;
}

/// <summary>
/// "Send me a new link" from the expired (or broken) preference-centre page: a fresh signed
/// link is emailed through the outbox as a <b>service</b> message (the customer asked for it,
/// like a password reset: a marketing opt-out does not block it; an erased customer gets nothing,
/// here and again at send time through the outbox's erasure gate; a bounced address stays
/// suppressed). At most <see cref="PerHour"/> requests per customer and per typed address an
/// hour, counted for unknown addresses too, so neither the reply nor the limit tells whether
/// an address is known.
/// </summary>
public sealed class LinkRequests(PreferenceLinks links, MessagingSecrets secrets, Outbox outbox, StoreWriter writer)
{
    public const int PerHour = 3;
    public const string Template = "preference-link";
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>The visitor typed an address.</summary>
    public Task<LinkRequestOutcome> ByEmailAsync(string email, CancellationToken ct = default)
    {
        var address = Identifier.Normalize(Identifier.Email, email.Trim()).Value;
        return RequestAsync("email:" + Hash(address), address, null, ct);
    }

    /// <summary>The expired (or still valid) link says whose it was; a forged or broken one says nothing: false.</summary>
    public async Task<LinkRequestOutcome?> ByTokenAsync(string token, CancellationToken ct = default)
    {
        var check = await links.CheckAsync(token, ct);
        return check.Status == LinkStatus.Invalid ? null : await RequestAsync(null, null, check.CustomerId, ct);
    }

    private async Task<LinkRequestOutcome> RequestAsync(string? addressSubject, string? address, long? customerFromLink, CancellationToken ct)
    {
        await secrets.LoadAsync(ct); // the signing key, for the link made in the transaction
        var outcome = await writer.WriteAsync(async unit =>
        {
            var (c, tx) = (unit.Connection, unit.Transaction);
            long? customer = customerFromLink;
            if (address is not null)
            {
                customer = await c.QueryFirstOrDefaultAsync<long?>(
                    "SELECT customer_id FROM identifiers WHERE kind = @kind AND value = @address", new { kind = Identifier.Email, address }, tx);
            }

            customer = customer is { } id ? await ConsentLedger.CurrentCustomerAsync(c, tx, id) : null;
            var subjects = new List<string>();
            if (addressSubject is not null)
            {
                subjects.Add(addressSubject);
            }

            if (customer is not null)
            {
                subjects.Add("customer:" + customer.Value.ToString(CultureInfo.InvariantCulture));
            }

            var since = unit.Now - (long)Window.TotalMilliseconds;
            // Only the last hour matters: older rows (hashed addresses included) are dropped as we go.
            await c.ExecuteAsync("DELETE FROM preference_link_requests WHERE requested_at <= @since", new { since }, tx);
            foreach (var subject in subjects)
            {
                var recent = (await c.QueryAsync<long>(
                    "SELECT requested_at FROM preference_link_requests WHERE subject = @subject AND requested_at > @since ORDER BY requested_at",
                    new { subject, since }, tx)).ToList();
                if (recent.Count >= PerHour)
                {
                    return new LinkRequestOutcome(UnixTime.FromStorage(recent[^PerHour] + (long)Window.TotalMilliseconds), null);
                }
            }

            long requestId = 0;
            foreach (var subject in subjects)
            {
                requestId = await c.ExecuteScalarAsync<long>(
                    "INSERT INTO preference_link_requests (subject, requested_at) VALUES (@subject, @now) RETURNING id", new { subject, now = unit.Now }, tx);
            }

            if (customer is not { } who || await IsErasedAsync(unit, who))
            {
                return new LinkRequestOutcome(null, null);
            }

            var recipient = address ?? await NewestIdentifier.OfAsync(c, tx, who, Identifier.Email);
            if (recipient is null)
            {
                return new LinkRequestOutcome(null, null); // no address to send to; the reply stays the same
            }

            var fresh = links.Create(who);
            var (messageId, _) = await outbox.EnqueueAsync(unit, new OutgoingMessage(
                $"preference-link:{requestId.ToString(CultureInfo.InvariantCulture)}", who, "email", MessagePurpose.Service, Template,
                recipient, "Your new link to manage your preferences", Body(fresh), null));
            return new LinkRequestOutcome(null, messageId);
        }, ct);
        if (outcome.MessageId is not null)
        {
            outbox.Notify();
        }

        return outcome;
    }

    private static async Task<bool> IsErasedAsync(UnitOfWork unit, long customer) =>
        await unit.Connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM erased_customers WHERE customer_id = @customer", new { customer }, unit.Transaction) > 0;

    private static string Body(PreferenceLink link) =>
        $"""
        Hello,

        You asked for a new link to your preferences. Here it is:

        {link.Url}

        It works until {link.ExpiresAt.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}. Please do not forward it: it opens your own page.
        If you did not ask for it, ignore this email; nothing changes.
        """;

    private static string Hash(string address) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address)));
}
