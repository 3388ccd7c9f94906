using System.Text.Json.Nodes;
using Rapport.Core.Events;

namespace Rapport.Core.Consent;

/// <summary>
/// Consent that arrives through the collection API: a track "Consent Updated" whose properties
/// are a consent change (the same shape as PATCH /v1/customers/{id}/consent), and identify traits
/// named consent_PURPOSE (every channel), consent_CHANNEL_PURPOSE or consent_PURPOSE_CHANNEL with
/// true/false, plus preferred_channel. The context.traits of other calls are not read: some
/// libraries copy the user's cached traits into every event, which is not the customer answering.
/// </summary>
public static class ConsentMessages
{
    public const string EventName = "Consent Updated";
    public const string TraitPrefix = "consent_";

    /// <summary>What a stored event says about consent; an event with nothing to say gives null.</summary>
    public static ConsentUpdate? Read(IncomingEvent e, out List<ConsentError> errors)
    {
        errors = [];
        if (e.Type == "track" && e.Name == EventName)
        {
            var (update, parseErrors) = ConsentRequestParser.Parse(e.Payload, $"{e.Channel}:{e.Type}", "$.properties");
            errors.AddRange(parseErrors);
            return update is { Entries.Count: > 0 } ? update : null;
        }

        if (e.Type == "identify" && e.Traits is { } traits)
        {
            var entries = FromTraits(traits, "$.traits", errors);
            return entries.Count == 0 ? null : new ConsentUpdate($"{e.Channel}:{e.Type}", entries);
        }

        return null;
    }

    /// <summary>True when the event may carry consent: the projection skips every other event without touching its JSON.</summary>
    public static bool MayCarryConsent(IncomingEvent e) => (e.Type == "track" && e.Name == EventName) || (e.Type == "identify" && e.Traits is not null);

    /// <summary>Errors a collected message must be rejected for (an unknown purpose or channel, a bad answer).</summary>
    public static List<ConsentError> Validate(IncomingEvent e)
    {
        Read(e, out var errors);
        return errors;
    }

    public static List<ConsentEntry> FromTraits(JsonObject traits, string path, List<ConsentError> errors)
    {
        var entries = new List<ConsentEntry>();
        foreach (var (name, value) in traits)
        {
            if (name == ConsentEntry.PreferredChannel)
            {
                // A free-text trait many shops send already: taken when it names a contact channel, else left as a trait only.
                if (value is JsonValue v && v.TryGetValue<string>(out var channel) && ConsentVocabulary.IsChannel(channel))
                {
                    entries.Add(new(ConsentEntry.PreferredChannel, channel));
                }

                continue;
            }

            if (!name.StartsWith(TraitPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var here = $"{path}.{name}";
            if (!TryPair(name[TraitPrefix.Length..], out var purpose, out var pairChannel))
            {
                errors.Add(new(here, $"'{name}' names no consent purpose; use consent_PURPOSE or consent_CHANNEL_PURPOSE with PURPOSE one of " +
                                     $"{string.Join(", ", ConsentVocabulary.Purposes)} and CHANNEL one of {string.Join(", ", ConsentVocabulary.Channels)}"));
                continue;
            }

            if (ConsentRequestParser.Answer(value, here, errors) is not { } answer)
            {
                continue;
            }

            foreach (var c in pairChannel is null ? ConsentVocabulary.Channels : [pairChannel])
            {
                entries.Add(new(ConsentEntry.Pair(purpose, c), answer));
            }
        }

        return entries;
    }

    private static bool TryPair(string rest, out string purpose, out string? channel)
    {
        purpose = rest;
        channel = null;
        if (ConsentVocabulary.IsPurpose(rest))
        {
            return true;
        }

        foreach (var c in ConsentVocabulary.Channels)
        {
            if (rest.StartsWith(c + "_", StringComparison.Ordinal) && ConsentVocabulary.IsPurpose(rest[(c.Length + 1)..]))
            {
                (purpose, channel) = (rest[(c.Length + 1)..], c);
                return true;
            }

            if (rest.EndsWith("_" + c, StringComparison.Ordinal) && ConsentVocabulary.IsPurpose(rest[..^(c.Length + 1)]))
            {
                (purpose, channel) = (rest[..^(c.Length + 1)], c);
                return true;
            }
        }

        return false;
    }
}
