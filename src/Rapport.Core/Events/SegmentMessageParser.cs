using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rapport.Core.Events;

/// <summary>One thing wrong with an incoming message: where (a JSON path) and what to do about it.</summary>
public sealed record MessageError(string Path, string Message);

/// <summary>
/// Turns Segment HTTP Tracking API messages into <see cref="IncomingEvent"/>s, or says
/// precisely what is wrong with them. Pure: the receive time is passed in.
/// Reads the request's <see cref="JsonDocument"/> in place (no DOM is built): properties,
/// traits and context become <see cref="JsonObject"/>s over the same elements, filled in only
/// when something reads them, and their raw text is kept for storage, so a message costs a few
/// microseconds. Keep the document alive (do not dispose it) while the events are in use.
/// </summary>
public static class SegmentMessageParser
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string> { "identify", "track", "page", "screen", "group", "alias" };

    public const int MaxNameLength = 200;

    /// <summary>Duplicate keys are an error, as they are for JsonNode: which value would be meant?</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// A /v1/batch body: every message of its 'batch' array, the batch's context applying to
    /// messages without one and its sentAt correcting their clocks. Null when there is no
    /// 'batch' array. All or nothing is the caller's choice: events are returned alongside errors.
    /// </summary>
    public static (List<IncomingEvent> Events, List<MessageError> Errors)? ParseBatch(JsonElement body, DateTimeOffset receivedAt, int maxMessageBytes)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("batch", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var sentAt = body.TryGetProperty("sentAt", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        JsonElement? batchContext = body.TryGetProperty("context", out var c) && c.ValueKind == JsonValueKind.Object ? c : null;
        var events = new List<IncomingEvent>(items.GetArrayLength());
        var errors = new List<MessageError>();
        var i = 0;
        foreach (var message in items.EnumerateArray())
        {
            var path = $"$.batch[{i++}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(path, "Each batch item must be a message object."));
                continue;
            }

            if (JsonMarshal.GetRawUtf8Value(message).Length > maxMessageBytes)
            {
                errors.Add(new(path, $"The message is larger than {maxMessageBytes / 1024} KB; send less in properties."));
                continue;
            }

            var (e, messageErrors) = Parse(message, null, receivedAt, path, sentAt, batchContext);
            if (e is not null)
            {
                events.Add(e);
            }

            errors.AddRange(messageErrors);
        }

        return (events, errors);
    }

    /// <param name="batchContext">The batch's context, used when the message has none.</param>
    public static (IncomingEvent? Event, List<MessageError> Errors) Parse(
        JsonElement message, string? impliedType, DateTimeOffset receivedAt, string path, string? batchSentAt = null, JsonElement? batchContext = null)
    {
        var errors = new List<MessageError>();
        var type = impliedType ?? Str(message, "type", path, errors);
        if (type is null)
        {
            errors.Add(new($"{path}.type", $"'type' is required: one of {string.Join(", ", Types)}."));
            return (null, errors);
        }

        if (!Types.Contains(type))
        {
            errors.Add(new($"{path}.type", $"Unknown type '{type}': use one of {string.Join(", ", Types)}."));
            return (null, errors);
        }

        var userId = IdString(message, "userId", path, errors);
        var anonymousId = IdString(message, "anonymousId", path, errors);
        var previousId = type == "alias" ? IdString(message, "previousId", path, errors) : null;
        if (type == "alias")
        {
            if (userId is null || previousId is null)
            {
                errors.Add(new(path, "An alias needs both 'previousId' and 'userId'."));
            }
        }
        else if (userId is null && anonymousId is null)
        {
            errors.Add(new(path, "Every message needs a 'userId' or an 'anonymousId'."));
        }

        var name = type switch
        {
            "track" => Str(message, "event", path, errors),
            "page" or "screen" => Str(message, "name", path, errors),
            _ => null,
        };
        if (type == "track")
        {
            ValidateEventName(name, path, errors);
        }

        var payloadKey = type is "identify" or "group" ? "traits" : "properties";
        var payloadElement = Obj(message, payloadKey, path, errors);
        var ownContext = Obj(message, "context", path, errors);
        var contextElement = ownContext ?? (Has(message, "context") ? null : batchContext);
        var traitsElement = type == "identify" ? payloadElement : Obj(contextElement, "traits", path + ".context", errors);
        var groupId = type == "group" ? Str(message, "groupId", path, errors) : null;

        var occurredAt = CorrectedTimestamp(message, receivedAt, path, errors, batchSentAt);
        var channel = ChannelOf(message, contextElement, type == "alias" ? null : payloadElement, type, path, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var messageId = Str(message, "messageId", path, errors) ?? ContentId(message, type, ownContext is null ? batchContext : null);
        if (messageId.Length > 200)
        {
            errors.Add(new($"{path}.messageId", "'messageId' is longer than 200 characters."));
            return (null, errors);
        }

        // The stored text is the client's own JSON where Rapport changes nothing in it.
        JsonObject payload;
        string? payloadJson = null;
        JsonElement? kept = null;
        if (type == "alias")
        {
            payload = new JsonObject { ["previousId"] = previousId };
        }
        else if (payloadElement is { } p)
        {
            payload = JsonObject.Create(p)!;
            if (groupId is not null)
            {
                payload["groupId"] = groupId;
            }
            else
            {
                payloadJson = RawText(p);
                kept = p;
            }
        }
        else
        {
            payload = groupId is null ? [] : new JsonObject { ["groupId"] = groupId };
        }

        var traits = traitsElement is { } t ? JsonObject.Create(t) : null;

        // Traits are read as a JsonObject on the one writer thread: build it here, on the request's thread.
        Build(traits);
        return (new IncomingEvent(
            messageId, type, name, channel!, userId, anonymousId, occurredAt, payload, traits,
            contextElement is { } c ? JsonObject.Create(c) : null,
            previousId)
        {
            PayloadJson = payloadJson,
            PayloadElement = kept,
            ContextJson = contextElement is { } raw ? RawText(raw) : null,
        }, errors);
    }

    /// <summary>
    /// Segment's clock-skew rule: the device clock may be wrong, but the gap between creating
    /// (timestamp) and sending (sentAt) a message is right, so timestamp = receivedAt − (sentAt − timestamp).
    /// </summary>
    public static DateTimeOffset CorrectTimestamp(DateTimeOffset receivedAt, DateTimeOffset? timestamp, DateTimeOffset? sentAt) =>
        (timestamp, sentAt) switch
        {
            ({ } t, { } s) => receivedAt - (s - t),
            ({ } t, null) => t,
            _ => receivedAt,
        };

    private static DateTimeOffset CorrectedTimestamp(
        JsonElement message, DateTimeOffset receivedAt, string path, List<MessageError> errors, string? batchSentAt)
    {
        var timestamp = Date(Str(message, "timestamp", path, errors) ?? Str(message, "originalTimestamp", path, errors), $"{path}.timestamp", errors);
        var sentAt = Date(Str(message, "sentAt", path, errors) ?? batchSentAt, $"{path}.sentAt", errors);
        return CorrectTimestamp(receivedAt, timestamp, sentAt);
    }

    private static DateTimeOffset? Date(string? text, string path, List<MessageError> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d))
        {
            return d;
        }

        errors.Add(new(path, $"'{text}' is not an ISO-8601 date-time; send e.g. 2024-05-01T12:30:00.000Z."));
        return null;
    }

    private static string? ChannelOf(
        JsonElement message, JsonElement? context, JsonElement? payload, string type, string path, List<MessageError> errors)
    {
        var stated = Str(message, "channel", path, errors) ?? Str(context, "channel", path + ".context", errors)
            ?? Str(payload, "channel", path, errors);
        if (stated is null)
        {
            return type == "screen" ? Channels.App : Channels.Web;
        }

        var channel = Channels.FromSegment(stated);
        if (channel is null)
        {
            errors.Add(new($"{path}.channel", $"Unknown channel '{stated}': use one of {string.Join(", ", Channels.All)}."));
        }

        return channel;
    }

    private static void ValidateEventName(string? name, string path, List<MessageError> errors)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new($"{path}.event", "A track call needs a non-empty 'event' name, e.g. \"Order Completed\"."));
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(new($"{path}.event", $"Event names are at most {MaxNameLength} characters."));
        }
        else if (EcommerceEvents.MisspelledStandardName(name) is { } standard)
        {
            errors.Add(new($"{path}.event", $"Unknown event name '{name}': did you mean the standard '{standard}'? Spell it exactly so Rapport reads it as commerce."));
        }
    }

    /// <summary>A present, non-null value of <paramref name="key"/> (JSON null counts as absent, as it always has).</summary>
    private static bool TryGet(JsonElement? o, string key, out JsonElement value)
    {
        value = default;
        return o is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private static bool Has(JsonElement o, string key) => TryGet(o, key, out _);

    private static string? Str(JsonElement? o, string key, string path, List<MessageError> errors)
    {
        if (!TryGet(o, key, out var node))
        {
            return null;
        }

        if (node.ValueKind == JsonValueKind.String)
        {
            return node.GetString();
        }

        errors.Add(new($"{path}.{key}", $"'{key}' must be a string, not {Kind(node)}."));
        return null;
    }

    /// <summary>Segment libraries send ids as strings but some send numbers: both are fine.</summary>
    private static string? IdString(JsonElement o, string key, string path, List<MessageError> errors)
    {
        if (!TryGet(o, key, out var node))
        {
            return null;
        }

        switch (node.ValueKind)
        {
            case JsonValueKind.String:
                var s = node.GetString();
                return string.IsNullOrWhiteSpace(s) ? null : s;
            case JsonValueKind.Number:
                return node.GetRawText();
            default:
                errors.Add(new($"{path}.{key}", $"'{key}' must be a string or a number, not {Kind(node)}."));
                return null;
        }
    }

    private static JsonElement? Obj(JsonElement? o, string key, string path, List<MessageError> errors)
    {
        if (!TryGet(o, key, out var node))
        {
            return null;
        }

        if (node.ValueKind == JsonValueKind.Object)
        {
            return node;
        }

        errors.Add(new($"{path}.{key}", $"'{key}' must be an object, not {Kind(node)}."));
        return null;
    }

    /// <summary>Fills in a lazily parsed node and everything under it.</summary>
    private static void Build(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Build(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Build(child);
                }

                break;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    private static string RawText(JsonElement e) => Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(e));

    /// <summary>
    /// A message without messageId gets one from its content (and the batch context it took),
    /// so an identical retry is still stored once.
    /// </summary>
    private static string ContentId(JsonElement message, string type, JsonElement? batchContext)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(type));
        hash.AppendData(JsonMarshal.GetRawUtf8Value(message));
        if (batchContext is { } c)
        {
            hash.AppendData(JsonMarshal.GetRawUtf8Value(c));
        }

        return "rapport-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }
}
