using System.Collections.Concurrent;
using Rapport.Core.Consent;
using Rapport.Core.Storage;

namespace Rapport.Core.Messaging;

/// <summary>
/// Marketing messages go out only within what the customer agreed to (docs/consent.md), checked
/// by <see cref="ContactPolicy"/> right before sending: no consent for marketing on the channel
/// blocks the message for good; a pause, quiet hours or a full weekly maximum defers it (it
/// waits without using an attempt). A sent message is logged as a contact, in the transaction
/// that records it as sent, so weekly maximums count it. Service messages (order confirmations)
/// need no marketing consent.
/// </summary>
public sealed class ConsentGate(ContactPolicy policy) : IContactGate, IOutboxCompletion
{
    /// <summary>How long a deferred message waits before it is checked again.</summary>
    public static readonly TimeSpan QuietHoursRetry = TimeSpan.FromMinutes(30);

    public static readonly TimeSpan PausedRetry = TimeSpan.FromHours(6);

    public static readonly TimeSpan WeeklyCapRetry = TimeSpan.FromHours(12);

    private readonly ConcurrentDictionary<long, ContactPermit> _permits = new();

    /// <summary>The latest round's facts per channel and the messages they were read for.</summary>
    private readonly ConcurrentDictionary<string, (HashSet<long> Messages, ContactRound Facts)> _rounds = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads the consent, identifiers and recent contacts of every marketing message's customer
    /// in the round with one query each (per channel), instead of a connection and three
    /// queries per message; <see cref="CheckAsync"/> then decides each message from them.
    /// </summary>
    public async ValueTask PrepareAsync(IReadOnlyList<ClaimedMessage> round, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var channel in round.Where(m => m.Purpose == MessagePurpose.Marketing).GroupBy(m => m.Channel))
        {
            var customers = channel.Select(m => m.CustomerId).Distinct().ToList();
            var facts = await policy.ReadRoundAsync(customers, channel.Key, now, ct);
            _rounds[channel.Key] = (channel.Select(m => m.Id).ToHashSet(), facts);
        }
    }

    public async ValueTask<DeliveryOutcome?> CheckAsync(ClaimedMessage message, DateTimeOffset now, CancellationToken ct)
    {
        if (message.Purpose != MessagePurpose.Marketing)
        {
            return null;
        }

        var decision = _rounds.TryGetValue(message.Channel, out var round) && round.Messages.Contains(message.Id)
            ? round.Facts.Decide(message.CustomerId, ConsentVocabulary.Marketing, now)
            : await policy.CheckAsync(message.CustomerId, ConsentVocabulary.Marketing, message.Channel, now, ct);
        if (decision is null)
        {
            return new DeliveryOutcome.Blocked(message.Id, $"customer {message.CustomerId} no longer exists (merged or erased)");
        }

        if (decision.Permit is { } permit)
        {
            _permits[message.Id] = permit;
            return null;
        }

        var check = decision.Check;
        return check.Reason switch
        {
            ContactDenial.QuietHours => new DeliveryOutcome.Deferred(message.Id, now + QuietHoursRetry, check.Detail),
            ContactDenial.Paused => new DeliveryOutcome.Deferred(message.Id, now + PausedRetry, check.Detail),
            ContactDenial.WeeklyCapReached => new DeliveryOutcome.Deferred(message.Id, now + WeeklyCapRetry, check.Detail),
            _ => new DeliveryOutcome.Blocked(message.Id, check.Detail),
        };
    }

    public async Task OnCompletedAsync(UnitOfWork unit, IReadOnlyList<(ClaimedMessage Message, DeliveryOutcome Outcome)> outcomes)
    {
        foreach (var (m, outcome) in outcomes)
        {
            if (_permits.TryRemove(m.Id, out var permit) && outcome is DeliveryOutcome.Sent)
            {
                await ContactPolicy.RecordAsync(unit, permit, $"outbox:{m.Id}");
            }
        }
    }
}

/// <summary>Work done in the transaction that records a round's outcomes (logging contacts for weekly maximums).</summary>
public interface IOutboxCompletion
{
    Task OnCompletedAsync(UnitOfWork unit, IReadOnlyList<(ClaimedMessage Message, DeliveryOutcome Outcome)> outcomes);
}
