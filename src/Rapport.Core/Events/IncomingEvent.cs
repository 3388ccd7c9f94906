using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Engine.Identity;

namespace Rapport.Core.Events;

/// <summary>
/// A validated message, ready to store: Segment's identify/track/page/screen/group/alias, or
/// an event Rapport makes itself (import, demo simulation, segment entry).
/// <paramref name="Payload"/> is the properties of track/page/screen, the traits of
/// identify/group, or {"previousId": ...} for alias.
/// </summary>
public sealed record IncomingEvent(
    string MessageId,
    string Type,
    string? Name,
    string Channel,
    string? UserId,
    string? AnonymousId,
    DateTimeOffset OccurredAt,
    JsonObject Payload,
    JsonObject? Traits,
    JsonObject? Context,
    string? PreviousId = null)
{
    /// <summary>
    /// The text of <see cref="Payload"/> as the client sent it, when Rapport changed nothing in
    /// it: stored as is, so the single writer thread does not serialise it again. Null means
    /// serialise <see cref="Payload"/>.
    /// </summary>
    public string? PayloadJson { get; init; }

    /// <summary>
    /// <see cref="Payload"/> as the request's JSON element, when Rapport changed nothing in it:
    /// projections read it in place instead of building the JsonObject. Its document must stay
    /// alive (the collector never disposes it).
    /// </summary>
    public JsonElement? PayloadElement { get; init; }

    /// <summary>
    /// When the request carrying it was received, if that was before the write (the intake's
    /// projector writes later); null means the write's own time.
    /// </summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>The text of <see cref="Context"/> as sent; null means serialise <see cref="Context"/>.</summary>
    public string? ContextJson { get; init; }

    /// <summary>
    /// Every identifier the message carries: userId, anonymousId, and the email, phone,
    /// loyalty card and store customer number found in its traits (identify traits or
    /// context.traits).
    /// </summary>
    public IReadOnlyList<Identifier> Identifiers()
    {
        var ids = new List<Identifier>(4);
        if (!string.IsNullOrWhiteSpace(UserId))
        {
            ids.Add(Identifier.Normalize(Identifier.UserId, UserId));
        }

        if (!string.IsNullOrWhiteSpace(AnonymousId))
        {
            ids.Add(Identifier.Normalize(Identifier.AnonymousId, AnonymousId));
        }

        if (Traits is not null)
        {
            AddTrait(ids, Identifier.Email, "email");
            AddTrait(ids, Identifier.Phone, "phone");
            AddTrait(ids, Identifier.LoyaltyCard, "loyaltyCard", "loyalty_card", "loyaltyCardNumber");
            AddTrait(ids, Identifier.StoreCustomerNo, "storeCustomerNumber", "store_customer_no", "storeCustomerId");
        }

        return ids.Distinct().Order().ToList();
    }

    private void AddTrait(List<Identifier> ids, string kind, params string[] names)
    {
        foreach (var name in names)
        {
            if (Traits![name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s))
            {
                var id = Identifier.Normalize(kind, s);
                if (id.Value.Length > 0)
                {
                    ids.Add(id);
                }

                return;
            }
        }
    }
}
