using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>
/// Track events the loyalty feature writes on a customer's timeline (Tier Changed, Surprise
/// Given): Rapport's own events (<see cref="OwnEvents"/>), filed under the customer's strongest
/// identifier so they follow the customer through merges; a message id derived from the change
/// stores each one once. Own events never earn points (they skip the projections).
/// </summary>
internal static class TimelineEvents
{
    public static Task AppendAsync(UnitOfWork unit, long customerId, string name, string messageId, JsonObject properties) =>
        OwnEvents.AppendAsync(unit, [new OwnFact(messageId, customerId, name, properties, "rapport-loyalty")]);
}
