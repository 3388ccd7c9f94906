using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rapport.Core.Consent;

/// <summary>
/// Reads a consent change from JSON: the body of PUT/PATCH /v1/customers/{id}/consent, or the
/// properties of a track "Consent Updated" event. Every mistake is reported; an unknown purpose
/// or channel is an error, never ignored. Shape:
/// {"source", "consents": {"marketing": {"email": true, "sms": "denied"}, "analytics": true},
///  "timeZone", "quietHours": {"start": "21:00", "end": "08:00"}, "maxPerWeek": {"email": 2},
///  "preferredChannel", "pausedUntil"}; a key given as null withdraws that answer.
/// </summary>
public static class ConsentRequestParser
{
    public const int MaxPerWeekLimit = 1000;
    public const int MaxSourceLength = 200;

    private static readonly HashSet<string> Keys = new(StringComparer.Ordinal)
    {
        "source", "consents", "timeZone", "quietHours", "maxPerWeek", "preferredChannel", "pausedUntil",
    };

    public static (ConsentUpdate? Update, List<ConsentError> Errors) Parse(JsonObject body, string defaultSource, string root = "$", bool ignoreUnknownKeys = false)
    {
        var errors = new List<ConsentError>();
        var entries = new List<ConsentEntry>();
        if (!ignoreUnknownKeys)
        {
            foreach (var (key, _) in body)
            {
                if (!Keys.Contains(key))
                {
                    errors.Add(new($"{root}.{key}", $"unknown key; a consent change has {string.Join(", ", Keys)}"));
                }
            }
        }

        var source = defaultSource;
        if (body["source"] is { } s)
        {
            if (s is JsonValue v && v.TryGetValue<string>(out var text) && text.Trim().Length is > 0 and <= MaxSourceLength)
            {
                source = text.Trim();
            }
            else
            {
                errors.Add(new($"{root}.source", $"the source is text of 1 to {MaxSourceLength} characters saying where the answer was given, such as \"preference_page\""));
            }
        }

        if (body.TryGetPropertyValue("consents", out var consents))
        {
            ReadConsents(consents, $"{root}.consents", entries, errors);
        }

        if (body.TryGetPropertyValue("timeZone", out var zone))
        {
            entries.Add(new(ConsentEntry.TimeZone, ReadTimeZone(zone, $"{root}.timeZone", errors)));
        }

        if (body.TryGetPropertyValue("quietHours", out var quiet))
        {
            entries.Add(new(ConsentEntry.QuietHours, ReadQuietHours(quiet, $"{root}.quietHours", errors)));
        }

        if (body.TryGetPropertyValue("maxPerWeek", out var caps))
        {
            ReadCaps(caps, $"{root}.maxPerWeek", entries, errors);
        }

        if (body.TryGetPropertyValue("preferredChannel", out var preferred))
        {
            var channel = preferred is null ? "" : Text(preferred);
            if (channel is null || (channel.Length > 0 && !ConsentVocabulary.IsChannel(channel)))
            {
                errors.Add(new($"{root}.preferredChannel", ConsentVocabulary.UnknownChannel(preferred?.ToJsonString() ?? "")));
            }
            else
            {
                entries.Add(new(ConsentEntry.PreferredChannel, channel));
            }
        }

        if (body.TryGetPropertyValue("pausedUntil", out var paused))
        {
            if (paused is null)
            {
                entries.Add(new(ConsentEntry.PausedUntil, ""));
            }
            else if (Text(paused) is { } t && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
            {
                entries.Add(new(ConsentEntry.PausedUntil, until.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
            }
            else
            {
                errors.Add(new($"{root}.pausedUntil", "pausedUntil is an ISO 8601 time such as \"2026-12-01T00:00:00Z\", or null to end a pause"));
            }
        }

        return errors.Count > 0 ? (null, errors) : (new ConsentUpdate(source, entries), errors);
    }

    /// <summary>Checks an IANA time zone id ("Europe/Amsterdam"); returns "" for null (withdrawn).</summary>
    public static string ReadTimeZone(JsonNode? node, string path, List<ConsentError> errors)
    {
        if (node is null)
        {
            return "";
        }

        var id = Text(node);
        if (id is not null && TryFindZone(id, out _))
        {
            return id;
        }

        errors.Add(new(path, $"'{id ?? node.ToJsonString()}' is not an IANA time zone; use a name such as \"Europe/Amsterdam\", \"America/New_York\" or \"UTC\""));
        return "";
    }

    public static bool TryFindZone(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        // Only IANA names: they contain a '/' or are UTC; "Pacific Standard Time" style names are Windows ids.
        if (id.Length == 0 || id.Contains(' ', StringComparison.Ordinal) || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
        {
            return false;
        }

        zone = found;
        return true;
    }

    private static void ReadConsents(JsonNode? node, string path, List<ConsentEntry> entries, List<ConsentError> errors)
    {
        if (node is not JsonObject purposes)
        {
            errors.Add(new(path, "consents is an object of purpose → {channel: true/false}, e.g. {\"marketing\": {\"email\": true}}"));
            return;
        }

        foreach (var (purpose, answer) in purposes)
        {
            var here = $"{path}.{purpose}";
            if (!ConsentVocabulary.IsPurpose(purpose))
            {
                errors.Add(new(here, ConsentVocabulary.UnknownPurpose(purpose)));
                continue;
            }

            if (answer is JsonObject channels)
            {
                foreach (var (channel, value) in channels)
                {
                    if (channel != "*" && !ConsentVocabulary.IsChannel(channel))
                    {
                        errors.Add(new($"{here}.{channel}", ConsentVocabulary.UnknownChannel(channel)));
                    }
                    else if (Answer(value, $"{here}.{channel}", errors) is { } v)
                    {
                        AddPair(entries, purpose, channel, v);
                    }
                }
            }
            else if (Answer(answer, here, errors) is { } v)
            {
                AddPair(entries, purpose, "*", v);
            }
        }
    }

    private static void AddPair(List<ConsentEntry> entries, string purpose, string channel, string value)
    {
        foreach (var c in channel == "*" ? ConsentVocabulary.Channels : [channel])
        {
            entries.RemoveAll(e => e.Item == ConsentEntry.Pair(purpose, c)); // a specific channel overrides "*" given before it
            entries.Add(new(ConsentEntry.Pair(purpose, c), value));
        }
    }

    /// <summary>true/"granted" → granted, false/"denied" → denied, null → "" (answer withdrawn).</summary>
    public static string? Answer(JsonNode? value, string path, List<ConsentError> errors)
    {
        switch (value)
        {
            case null:
                return "";
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return v.GetValue<bool>() ? ConsentEntry.Granted : ConsentEntry.Denied;
            case JsonValue v when v.TryGetValue<string>(out var s) && s is ConsentEntry.Granted or ConsentEntry.Denied:
                return s;
            default:
                errors.Add(new(path, $"an answer is true (granted), false (denied) or null (withdrawn), not {value.ToJsonString()}"));
                return null;
        }
    }

    private static string ReadQuietHours(JsonNode? node, string path, List<ConsentError> errors)
    {
        if (node is null)
        {
            return "";
        }

        string? problem = null;
        if (node is JsonObject o && QuietHours.TryParse(Text(o["start"]), Text(o["end"]), out var hours, out problem))
        {
            return hours.ToString();
        }

        errors.Add(new(path, problem ?? "quietHours is {\"start\": \"HH:MM\", \"end\": \"HH:MM\"} in the customer's time zone, e.g. {\"start\": \"21:00\", \"end\": \"08:00\"}"));
        return "";
    }

    private static void ReadCaps(JsonNode? node, string path, List<ConsentEntry> entries, List<ConsentError> errors)
    {
        if (node is not JsonObject caps)
        {
            errors.Add(new(path, "maxPerWeek is an object of channel → contacts per week, e.g. {\"email\": 2, \"sms\": 1}"));
            return;
        }

        foreach (var (channel, value) in caps)
        {
            if (!ConsentVocabulary.IsChannel(channel))
            {
                errors.Add(new($"{path}.{channel}", ConsentVocabulary.UnknownChannel(channel)));
            }
            else if (value is null)
            {
                entries.Add(new(ConsentEntry.MaxPerWeekPrefix + channel, ""));
            }
            else if (value is JsonValue v && v.TryGetValue<int>(out var n) && n is >= 0 and <= MaxPerWeekLimit)
            {
                entries.Add(new(ConsentEntry.MaxPerWeekPrefix + channel, n.ToString(CultureInfo.InvariantCulture)));
            }
            else
            {
                errors.Add(new($"{path}.{channel}", $"a weekly maximum is a whole number from 0 (never) to {MaxPerWeekLimit}, or null for no limit"));
            }
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
