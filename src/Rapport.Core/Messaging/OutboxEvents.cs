using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Messaging;

/// <summary>
/// Puts what happened to a message on the customer's timeline, in the same transaction as the
/// outbox row's new status (so a sent message always has its "Email Sent" event and never two).
/// Events go through <see cref="EventWriter"/> like any tracked event, so segments and journeys
/// see them; they are keyed by the recipient's email, which is how the message was addressed.
/// </summary>
public sealed class OutboxEvents(EventWriter writer)
{
    public const string EmailSent = "Email Sent";
    public const string EmailFailed = "Email Failed";
    public const string EmailBlocked = "Email Blocked";
    public const string EmailOpened = "Email Opened";
    public const string EmailLinkClicked = "Email Link Clicked";
    public const string Unsubscribed = "Unsubscribed";

    public async Task WriteAsync(UnitOfWork unit, IReadOnlyList<(ClaimedMessage Message, DeliveryOutcome Outcome)> outcomes, long now, RetryPolicy retry)
    {
        var events = new List<IncomingEvent>();
        foreach (var (m, outcome) in outcomes)
        {
            var (name, reason) = outcome switch
            {
                DeliveryOutcome.Sent => (EmailSent, null),
                DeliveryOutcome.Permanent p => (EmailFailed, p.Error),
                DeliveryOutcome.Transient t when m.Attempt >= retry.MaxAttempts => (EmailFailed, t.Error),
                DeliveryOutcome.Blocked b => (EmailBlocked, b.Reason),
                _ => ((string?)null, (string?)null),
            };
            if (name is not null)
            {
                events.Add(For(m.Id, m.Recipient, name, m.Purpose, m.Subject, UnixTime.FromStorage(now), reason));
            }
        }

        if (events.Count > 0)
        {
            await writer.WriteAsync(unit, events);
        }
    }

    /// <summary>An email event for the timeline; the message id is derived so the same fact is stored once.</summary>
    public static IncomingEvent For(long outboxId, string recipient, string name, string purpose, string subject, DateTimeOffset at, string? reason = null, JsonObject? extra = null)
    {
        var properties = new JsonObject
        {
            ["outbox_id"] = outboxId,
            ["purpose"] = purpose,
            ["subject"] = subject,
        };
        if (reason is not null)
        {
            properties["reason"] = reason;
        }

        foreach (var (k, v) in extra ?? [])
        {
            properties[k] = v?.DeepClone();
        }

        var id = $"rapport-email-{outboxId}-{name.Replace(' ', '-').ToLowerInvariant()}" + (extra?["url"] is { } u ? "-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(u.GetValue<string>())))[..16] : "");
        return new IncomingEvent(
            id, "track", name, Channels.Email, UserId: null, AnonymousId: null, at, properties,
            Traits: new JsonObject { ["email"] = recipient },
            Context: new JsonObject { ["library"] = new JsonObject { ["name"] = "rapport-outbox" } });
    }
}
