using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Engine.Decisioning;
using Rapport.Engine.Segments;

namespace Rapport.Core.Actions;

/// <summary>The parts of an action definition that need more than a type check.</summary>
public static partial class ActionDefinitionParser
{
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
