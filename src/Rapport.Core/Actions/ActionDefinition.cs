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
        "cooldownHours", "cap", "budget", "priority", "value", "prior", "reason", "productId", "content", "holdout",
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
        var holdout = Number(body, "holdout", errors, 0, 0.5, "holdout is the share of eligible customers kept as a control group, 0 to 0.5 (e.g. 0.1)") ?? 0;
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
            cooldown is { } h ? TimeSpan.FromHours(h) : null, cap, budget, priority, (decimal)value, prior, reason, productId, status == "active")
        {
            Holdout = holdout,
        };
        return (new ActionDefinition(spec, condition, content as JsonObject, json), errors);
    }

    [GeneratedRegex("^[a-z0-9_-]{1,50}$")]
    private static partial Regex PlacementName();
}
