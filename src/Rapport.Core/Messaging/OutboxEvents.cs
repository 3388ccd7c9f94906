using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Messaging;

/// <summary>
/// Puts what happened to a message on the customer's timeline, in the same transaction as the
/// outbox row's new status (so a sent message always has its "Email Sent" event and never two).
/// The outcome events are Rapport's own facts about a known customer: they are appended in bulk
/// (<see cref="OwnEvents"/>) under the customer's strongest identifier, skipping identity
/// resolution and the projections (a sent email changes no trait, order, consent or value).
/// Segments still count them at once: the stored rows are handed to the segment projection, as
/// the ingest path would. Journeys and analytics read them from the events table like any event.
/// A customer merged away since the message was queued has no identifier left; their few events
/// take the full event path, filed under the address the message went to (still marked as own).
/// </summary>
public sealed class OutboxEvents(EventWriter writer, Segments.SegmentProjection? segments = null)
{
    public const string EmailSent = "Email Sent";
    public const string EmailFailed = "Email Failed";
    public const string EmailBlocked = "Email Blocked";
    public const string EmailOpened = "Email Opened";
    public const string EmailLinkClicked = "Email Link Clicked";
    public const string Unsubscribed = "Unsubscribed";

    public async Task WriteAsync(UnitOfWork unit, IReadOnlyList<(ClaimedMessage Message, DeliveryOutcome Outcome)> outcomes, long now, RetryPolicy retry)
    {
        var known = new List<OwnEvent>(outcomes.Count);
        var merged = new List<IncomingEvent>();
        var who = await Rapport.Core.Identity.StrongestIdentifiers.ForAsync(unit, outcomes.Select(o => o.Message.CustomerId).Distinct().ToList());
        var survivors = await SurvivorsAsync(unit, outcomes.Where(o => o.Message.Channel == "push" && !who.ContainsKey(o.Message.CustomerId)).Select(o => o.Message.CustomerId).Distinct().ToList());
        foreach (var (m, outcome) in outcomes)
        {
            var (what, reason) = outcome switch
            {
                DeliveryOutcome.Sent => ("Sent", null),
                DeliveryOutcome.Permanent p => ("Failed", p.Error),
                DeliveryOutcome.Transient t when m.Attempt >= retry.MaxAttempts => ("Failed", t.Error),
                DeliveryOutcome.Blocked b => ("Blocked", b.Reason),
                _ => ((string?)null, (string?)null),
            };
            if (what is null)
            {
                continue;
            }

            var filed = Who(who, m.CustomerId, m.Channel, m.Recipient, survivors);
            var e = For(m.Id, filed, $"{Label(m.Channel)} {what}", m.Purpose, m.Subject, UnixTime.FromStorage(now), reason, channel: m.Channel);
            if (who.ContainsKey(m.CustomerId))
            {
                // No traits: the identifier is already the customer's, and live segments must not re-read traits for it.
                known.Add(new OwnEvent(e with { Traits = null }, m.CustomerId, filed));
            }
            else
            {
                merged.Add(e);
            }
        }

        var stored = await OwnEvents.AppendAsync(unit, known);
        if (segments is not null && stored.Count > 0)
        {
            await segments.ApplyAsync(unit, stored);
        }

        if (merged.Count > 0)
        {
            await OwnEvents.WriteThroughIngestAsync(unit, writer, merged);
        }
    }

    /// <summary>"Email", "SMS", "Push": the first word of the channel's event names.</summary>
    public static string Label(string channel) => channel switch
    {
        "sms" => "SMS",
        "push" => "Push",
        _ => "Email",
    };

    /// <summary>
    /// The identifier to file an event for a message under, given each customer's strongest
    /// identifier (<see cref="Rapport.Core.Identity.StrongestIdentifiers"/>). A customer merged away
    /// since the message was queued has none left: the email address or phone number the message
    /// went to stands in (it moved to the survivor); a push token is no identifier, so for push the
    /// survivor's own identifier does (<paramref name="survivors"/>, from <see cref="SurvivorsAsync"/>).
    /// </summary>
    public static Identifier Who(IReadOnlyDictionary<long, Identifier> known, long customer, string channel, string recipient, IReadOnlyDictionary<long, Identifier>? survivors = null) =>
        known.TryGetValue(customer, out var id) ? id
        : survivors is not null && survivors.TryGetValue(customer, out var survivor) ? survivor
        : channel == "sms" ? new Identifier(Identifier.Phone, recipient)
        : new Identifier(Identifier.Email, recipient);

    /// <summary>For customers merged away (no identifier left): the strongest identifier of the customer they live on in.</summary>
    public static async Task<Dictionary<long, Identifier>> SurvivorsAsync(UnitOfWork unit, IReadOnlyList<long> mergedAway)
    {
        var result = new Dictionary<long, Identifier>();
        foreach (var customer in mergedAway)
        {
            if (await Rapport.Core.Consent.ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, customer) is { } survivor && survivor != customer
                && (await Rapport.Core.Identity.StrongestIdentifiers.ForAsync(unit, [survivor])).TryGetValue(survivor, out var id))
            {
                result[customer] = id;
            }
        }

        return result;
    }

    /// <summary>An event for the timeline; the message id is derived so the same fact is stored once.</summary>
    public static IncomingEvent For(
        long outboxId, Identifier who, string name, string purpose, string subject, DateTimeOffset at,
        string? reason = null, JsonObject? extra = null, string channel = "email")
    {
        var properties = new JsonObject
        {
            ["outbox_id"] = outboxId,
            ["purpose"] = purpose,
            ["subject"] = subject,
            ["channel"] = channel,
        };
        if (reason is not null)
        {
            properties["reason"] = reason;
        }

        foreach (var (k, v) in extra ?? [])
        {
            properties[k] = v?.DeepClone();
        }

        var id = $"rapport-msg-{outboxId}-{name.Replace(' ', '-').ToLowerInvariant()}" + (extra?["url"] is { } u ? "-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(u.GetValue<string>())))[..16] : "");
        var traitName = who.Kind switch
        {
            Identifier.Email => "email",
            Identifier.Phone => "phone",
            Identifier.LoyaltyCard => "loyaltyCard",
            Identifier.StoreCustomerNo => "storeCustomerNumber",
            _ => null,
        };
        return new IncomingEvent(
            id, "track", name, channel switch { "sms" => Channels.Phone, "push" => Channels.App, _ => Channels.Email },
            UserId: who.Kind == Identifier.UserId ? who.Value : null,
            AnonymousId: who.Kind == Identifier.AnonymousId ? who.Value : null,
            at, properties,
            Traits: traitName is null ? null : new JsonObject { [traitName] = who.Value },
            Context: new JsonObject { ["library"] = new JsonObject { ["name"] = "rapport-outbox" } });
    }
}
