using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rapport.Core.Consent;
using Rapport.Engine.Decisioning;
using Rapport.Engine.Segments;

namespace Rapport.Core.Actions;

/// <summary>A mistake in an action definition: its JSON path and what to do.</summary>
public sealed record ActionError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// A catalogue action: the spec the ranking reads, the condition (segment language, canonical
/// text) and the content handed to the channel (title, text, url, code: whatever the placement
/// needs). <see cref="Json"/> is the stored, canonical definition.
/// </summary>
public sealed record ActionDefinition(ActionSpec Spec, SegmentDefinition? Condition, JsonObject? Content, JsonObject Json);

/// <summary>
/// Reads and validates an action definition (POST/PUT /v1/actions). Every mistake is reported
/// with its path: an unknown kind, purpose or channel, a negative budget, a cap of zero, a
/// condition the segment language rejects (with its own position), an unknown segment.
/// </summary>
public static partial class ActionDefinitionParser
{
    public const int MaxNameLength = 200;

    private static readonly HashSet<string> Keys = new(StringComparer.Ordinal)
    {
        "name", "kind", "status", "purpose", "channels", "placements", "segments", "condition", "from", "until",
        "cooldownHours", "cap", "budget", "priority", "value", "prior", "reason", "productId", "content",
    };

    /// <param name="segmentExists">Checks segment ids; null skips the check (reading a stored definition).</param>
    public static (ActionDefinition? Action, List<ActionError> Errors) Parse(JsonObject body, long id, Func<long, bool>? segmentExists, SegmentFields fields)
    {
        var errors = new List<ActionError>();
        foreach (var (key, _) in body)
        {
            if (!Keys.Contains(key))
            {
                errors.Add(new($"$.{key}", $"unknown key; an action has {string.Join(", ", Keys)} (docs/next-best-action.md)"));
            }
        }

        var name = Text(body, "name")?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors.Add(new("$.name", $"give the action a \"name\" of 1 to {MaxNameLength} characters"));
        }

        var kind = Text(body, "kind");
        if (!ActionKinds.IsKnown(kind))
        {
            errors.Add(new("$.kind", $"{(kind is null ? "\"kind\" is required" : $"'{kind}' is not an action kind")}; use one of {string.Join(", ", ActionKinds.All)}"));
        }

        var status = Text(body, "status") ?? "active";
        if (status is not ("active" or "paused"))
        {
            errors.Add(new("$.status", "status is \"active\" or \"paused\""));
        }

        var purpose = Text(body, "purpose");
        if (!ConsentVocabulary.IsPurpose(purpose))
        {
            errors.Add(new("$.purpose", purpose is null ? $"\"purpose\" is required: the consent purpose the action needs, one of {string.Join(", ", ConsentVocabulary.Purposes)}" : ConsentVocabulary.UnknownPurpose(purpose)));
        }

        var channels = Strings(body, "channels", errors);
        if (channels.Count == 0)
        {
            errors.Add(new("$.channels", $"list the channels the action may be delivered on, e.g. [\"web\", \"email\"]: {string.Join(", ", ConsentVocabulary.Channels)}"));
        }

        for (var i = 0; i < channels.Count; i++)
        {
            if (!ConsentVocabulary.IsChannel(channels[i]))
            {
                errors.Add(new($"$.channels[{i}]", ConsentVocabulary.UnknownChannel(channels[i])));
            }
        }

        var placements = Strings(body, "placements", errors);
        for (var i = 0; i < placements.Count; i++)
        {
            if (!PlacementName().IsMatch(placements[i]))
            {
                errors.Add(new($"$.placements[{i}]", "a placement is a name of 1 to 50 lower-case letters, digits, '_' or '-', such as \"home\" or \"cart\""));
            }
        }

        var segments = SegmentIds(body, segmentExists, errors);
        var condition = Condition(body, fields, errors);
        var from = Time(body, "from", errors);
        var until = Time(body, "until", errors);
        if (from is not null && until is not null && until <= from)
        {
            errors.Add(new("$.until", "until must be after from"));
        }

        var cooldown = Number(body, "cooldownHours", errors, 0, 24 * 3650, "a cool-down is 0 to 87600 hours");
        var cap = Cap(body, errors);
        var budget = Budget(body, errors);
        var priority = Number(body, "priority", errors, 0.000001, 1_000_000, "priority is a positive weight (default 1; 2 counts twice as much)") ?? 1;
        var value = Number(body, "value", errors, 0, 1e12, "value is what an acceptance is worth in currency units, 0 or more (default 1)") ?? 1;
        var prior = Prior(body, errors);
        var reason = Text(body, "reason");
        if (reason is not null)
        {
            foreach (var p in ReasonWriter.Placeholders(reason).Where(p => !ReasonWriter.KnownFacts.Contains(p)))
            {
                errors.Add(new("$.reason", $"'{{{p}}}' is not a fact Rapport knows; use {string.Join(", ", ReasonWriter.KnownFacts.Select(f => "{" + f + "}"))}"));
            }
        }

        var productId = Text(body, "productId");
        if (productId is not null && kind != ActionKinds.ProductOffer)
        {
            errors.Add(new("$.productId", "only a product_offer names a product"));
        }

        var content = body["content"];
        if (content is not null and not JsonObject)
        {
            errors.Add(new("$.content", "content is an object handed to the channel as is, e.g. {\"title\": \"10% off lamps\", \"code\": \"LAMP10\"}"));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var json = (JsonObject)body.DeepClone();
        if (condition is not null)
        {
            json["condition"] = condition.Text;
        }

        json["status"] = status;
        var spec = new ActionSpec(
            id, name!, kind!, purpose!, channels, placements, segments, from, until,
            cooldown is { } h ? TimeSpan.FromHours(h) : null, cap, budget, priority, (decimal)value, prior, reason, productId, status == "active");
        return (new ActionDefinition(spec, condition, content as JsonObject, json), errors);
    }

    [GeneratedRegex("^[a-z0-9_-]{1,50}$")]
    private static partial Regex PlacementName();

    private static SegmentDefinition? Condition(JsonObject body, SegmentFields fields, List<ActionError> errors)
    {
        var node = body["condition"];
        if (node is null)
        {
            return null;
        }

        var parsed = node is JsonValue v && v.TryGetValue<string>(out var text) ? SegmentDefinition.Parse(text, fields) : SegmentDefinition.FromJson(node, fields, "$.condition");
        foreach (var e in parsed.Errors)
        {
            errors.Add(new(e.Position.Path ?? "$.condition", e.Position.Path is null ? $"{e.Position}: {e.Reason} (docs/segments.md)" : e.Reason));
        }

        return parsed.Definition;
    }

    private static List<long> SegmentIds(JsonObject body, Func<long, bool>? exists, List<ActionError> errors)
    {
        var ids = new List<long>();
        if (body["segments"] is null)
        {
            return ids;
        }

        if (body["segments"] is not JsonArray array)
        {
            errors.Add(new("$.segments", "segments is a list of segment ids, e.g. [3, 7]; the customer must be in at least one"));
            return ids;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.TryGetValue<long>(out var id))
            {
                if (exists is not null && !exists(id))
                {
                    errors.Add(new($"$.segments[{i}]", $"there is no segment {id}; GET /v1/segments lists them"));
                }

                ids.Add(id);
            }
            else
            {
                errors.Add(new($"$.segments[{i}]", "a segment id is a whole number"));
            }
        }

        return ids;
    }

    private static FrequencyCap? Cap(JsonObject body, List<ActionError> errors)
    {
        if (body["cap"] is null)
        {
            return null;
        }

        if (body["cap"] is JsonObject o && Int(o["max"]) is { } max && Int(o["days"]) is { } days)
        {
            if (max < 1)
            {
                errors.Add(new("$.cap.max", $"a cap of {max} would never let the action out; use at least 1, or set status \"paused\""));
            }

            if (days is < 1 or > 3650)
            {
                errors.Add(new("$.cap.days", "the cap's window is 1 to 3650 days"));
            }

            return new FrequencyCap(max, days);
        }

        errors.Add(new("$.cap", "cap is {\"max\": N, \"days\": D}: at most N times per customer in D days, across channels"));
        return null;
    }

    private static ActionBudget? Budget(JsonObject body, List<ActionError> errors)
    {
        if (body["budget"] is null)
        {
            return null;
        }

        if (body["budget"] is not JsonObject o)
        {
            errors.Add(new("$.budget", "budget is {\"total\": N, \"perCustomer\": M}: how many times the action may be given out"));
            return null;
        }

        long? total = null;
        int? perCustomer = null;
        if (o["total"] is { } t)
        {
            total = t is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;
            if (total is not > 0)
            {
                errors.Add(new("$.budget.total", $"the total budget is a whole number of at least 1 (got {t.ToJsonString()}); leave it out for no limit"));
            }
        }

        if (o["perCustomer"] is { } p)
        {
            perCustomer = Int(p);
            if (perCustomer is not > 0)
            {
                errors.Add(new("$.budget.perCustomer", $"the budget per customer is a whole number of at least 1 (got {p.ToJsonString()}); leave it out for no limit"));
            }
        }

        return new ActionBudget(total, perCustomer);
    }

    private static PropensityPrior Prior(JsonObject body, List<ActionError> errors)
    {
        if (body["prior"] is null)
        {
            return PropensityPrior.Default;
        }

        if (body["prior"] is JsonObject o && Double(o["mean"]) is { } mean and > 0 and < 1 && Double(o["strength"]) is { } strength and > 0 and <= 1e6)
        {
            return new PropensityPrior(mean, strength);
        }

        errors.Add(new("$.prior", "prior is {\"mean\": between 0 and 1 exclusive, \"strength\": observations it is worth, > 0}, e.g. {\"mean\": 0.1, \"strength\": 10}"));
        return PropensityPrior.Default;
    }

    private static double? Number(JsonObject body, string key, List<ActionError> errors, double min, double max, string what)
    {
        if (body[key] is not { } node)
        {
            return null;
        }

        if (Double(node) is { } d && d >= min && d <= max)
        {
            return d;
        }

        errors.Add(new($"$.{key}", $"{what}; got {node.ToJsonString()}"));
        return null;
    }

    private static DateTimeOffset? Time(JsonObject body, string key, List<ActionError> errors)
    {
        if (body[key] is not { } node)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t;
        }

        errors.Add(new($"$.{key}", $"{key} is an ISO 8601 time such as \"2026-12-01T00:00:00Z\""));
        return null;
    }

    private static List<string> Strings(JsonObject body, string key, List<ActionError> errors)
    {
        if (body[key] is null)
        {
            return [];
        }

        if (body[key] is JsonArray a && a.All(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String))
        {
            return a.Select(x => x!.GetValue<string>()).Distinct(StringComparer.Ordinal).ToList();
        }

        errors.Add(new($"$.{key}", $"{key} is a list of names, e.g. [\"web\"]"));
        return [];
    }

    private static string? Text(JsonObject body, string key) => body[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;

    private static double? Double(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;
}
