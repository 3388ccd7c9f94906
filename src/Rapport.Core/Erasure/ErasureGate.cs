using Rapport.Core.Messaging;

namespace Rapport.Core.Erasure;

/// <summary>
/// Nothing, marketing or service, goes to an erased customer: their addresses are gone, and a
/// message composed later (a journey step, a retried dead letter) would only carry a token.
/// </summary>
public sealed class ErasureGate(ErasedCustomers erased) : IContactGate
{
    public async ValueTask<DeliveryOutcome?> CheckAsync(ClaimedMessage message, DateTimeOffset now, CancellationToken ct) =>
        await erased.IsErasedAsync(message.CustomerId, ct)
            ? new DeliveryOutcome.Blocked(message.Id, $"customer {message.CustomerId} was erased")
            : null;
}
