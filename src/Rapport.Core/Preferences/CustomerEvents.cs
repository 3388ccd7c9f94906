using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Engine.Identity;

namespace Rapport.Core.Preferences;

/// <summary>
/// Events Rapport writes for what a customer did on the preference centre or answered to a
/// question. They go through <see cref="EventWriter"/> like tracked events (traits, needs and
/// segments see them), filed under the customer's strongest identifier.
/// </summary>
internal static class CustomerEvents
{
    public const string Library = "rapport-preferences";
    public const string QuestionAnswered = "Profile Question Answered";
    public const string ErasureRequested = "Erasure Requested";
    public const string DataExported = "Data Exported";

    public static IncomingEvent Track(Identifier who, string name, string channel, DateTimeOffset at, JsonObject properties) =>
        Make(who, "track", name, channel, at, properties);

    public static IncomingEvent Identify(Identifier who, string channel, DateTimeOffset at, JsonObject traits) =>
        Make(who, "identify", null, channel, at, traits);

    /// <summary>Contact channels (sms, push) mapped onto the event channel they happen on.</summary>
    public static string EventChannel(string channel) => channel switch
    {
        "sms" => Channels.Phone,
        "push" => Channels.App,
        _ when Channels.IsKnown(channel) => channel,
        _ => Channels.Web,
    };

    private static IncomingEvent Make(Identifier who, string type, string? name, string channel, DateTimeOffset at, JsonObject payload)
    {
        var traitName = who.Kind switch
        {
            Identifier.Email => "email",
            Identifier.Phone => "phone",
            Identifier.LoyaltyCard => "loyaltyCard",
            Identifier.StoreCustomerNo => "storeCustomerNumber",
            _ => null,
        };
        var traits = type == "identify" ? (JsonObject)payload.DeepClone() : new JsonObject();
        if (traitName is not null)
        {
            traits[traitName] = who.Value;
        }

        return new IncomingEvent(
            $"prefs-{Guid.NewGuid():N}", type, name, EventChannel(channel),
            UserId: who.Kind == Identifier.UserId ? who.Value : null,
            AnonymousId: who.Kind == Identifier.AnonymousId ? who.Value : null,
            at, type == "identify" ? traits : payload,
            Traits: traits.Count == 0 ? null : traits,
            Context: new JsonObject { ["library"] = new JsonObject { ["name"] = Library } });
    }
}
