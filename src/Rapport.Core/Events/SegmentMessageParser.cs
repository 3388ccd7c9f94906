using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Rapport.Core.Events;

/// <summary>One thing wrong with an incoming message: where (a JSON path) and what to do about it.</summary>
public sealed record MessageError(string Path, string Message);

/// <summary>
/// Turns a Segment HTTP Tracking API message into an <see cref="IncomingEvent"/>, or says
/// precisely what is wrong with it. Pure: the receive time is passed in.
/// </summary>
public static class SegmentMessageParser
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string> { "identify", "track", "page", "screen", "group", "alias" };

    public const int MaxNameLength = 200;

    public static (IncomingEvent? Event, List<MessageError> Errors) Parse(
        JsonObject message, string? impliedType, DateTimeOffset receivedAt, string path, string? batchSentAt = null)
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
        var payload = Obj(message, payloadKey, path, errors) ?? [];
        var context = Obj(message, "context", path, errors);
        var traits = type == "identify" ? payload : Obj(context, "traits", path + ".context", errors);
        if (type == "group" && Str(message, "groupId", path, errors) is { } groupId)
        {
            payload["groupId"] = groupId;
        }

        if (type == "alias")
        {
            payload = new JsonObject { ["previousId"] = previousId };
        }

        var occurredAt = CorrectedTimestamp(message, receivedAt, path, errors, batchSentAt);
        var channel = ChannelOf(message, context, payload, type, path, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var messageId = Str(message, "messageId", path, errors) ?? ContentId(message, type);
        if (messageId.Length > 200)
        {
            errors.Add(new($"{path}.messageId", "'messageId' is longer than 200 characters."));
            return (null, errors);
        }

        return (new IncomingEvent(
            messageId, type, name, channel!, userId, anonymousId, occurredAt, payload,
            traits is null ? null : (JsonObject)traits.DeepClone(), context, previousId), errors);
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
        JsonObject message, DateTimeOffset receivedAt, string path, List<MessageError> errors, string? batchSentAt)
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

    private static string? ChannelOf(JsonObject message, JsonObject? context, JsonObject payload, string type, string path, List<MessageError> errors)
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

    private static string? Str(JsonObject? o, string key, string path, List<MessageError> errors)
    {
        if (o?[key] is not { } node)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue<string>(out var s))
        {
            return s;
        }

        errors.Add(new($"{path}.{key}", $"'{key}' must be a string, not {node.GetValueKind().ToString().ToLowerInvariant()}."));
        return null;
    }

    /// <summary>Segment libraries send ids as strings but some send numbers: both are fine.</summary>
    private static string? IdString(JsonObject o, string key, string path, List<MessageError> errors)
    {
        switch (o[key])
        {
            case null:
                return null;
            case JsonValue v when v.TryGetValue<string>(out var s):
                return string.IsNullOrWhiteSpace(s) ? null : s;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                return v.ToJsonString();
            case var other:
                errors.Add(new($"{path}.{key}", $"'{key}' must be a string or a number, not {other.GetValueKind().ToString().ToLowerInvariant()}."));
                return null;
        }
    }

    private static JsonObject? Obj(JsonObject? o, string key, string path, List<MessageError> errors)
    {
        switch (o?[key])
        {
            case null:
                return null;
            case JsonObject obj:
                return obj;
            case var other:
                errors.Add(new($"{path}.{key}", $"'{key}' must be an object, not {other.GetValueKind().ToString().ToLowerInvariant()}."));
                return null;
        }
    }

    /// <summary>A message without messageId gets one from its content, so an identical retry is still stored once.</summary>
    private static string ContentId(JsonObject message, string type) =>
        "rapport-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(type + message.ToJsonString())))[..32];
}
