using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Engine.Segments;

namespace Rapport.Engine.Journeys;

/// <summary>What a definition may refer to outside itself. A null lookup skips that check (reading a stored definition).</summary>
public sealed record JourneyReferences(Func<string, string?>? TemplateChannel = null, Func<string, bool>? SegmentExists = null, SegmentFields? Fields = null)
{
    public static readonly JourneyReferences None = new();
}

/// <summary>
/// Reads and validates a journey definition (docs/journeys.md). Every mistake is reported with its
/// JSON path, the step it is in and how to fix it: an unknown step type, a template that does not
/// exist, a step id nobody defined, a loop without a wait (it would spin forever in one instant).
/// </summary>
public static partial class JourneyParser
{
    public const int MaxSteps = 200;
    public const int MaxNameLength = 200;

    private static readonly HashSet<string> Keys = new(StringComparer.Ordinal)
    {
        "name", "description", "trigger", "goal", "goals", "controlGroup", "reentry", "steps",
    };

    public static (JourneyDefinition? Journey, IReadOnlyList<JourneyError> Errors) Parse(string json, JourneyReferences references)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            return (null, [new JourneyError("$", null, $"not valid JSON ({e.Message}); a journey is an object with name, trigger and steps")]);
        }

        return node is JsonObject o ? Parse(o, references) : (null, [new JourneyError("$", null, "a journey is a JSON object with name, trigger and steps")]);
    }

    public static (JourneyDefinition? Journey, IReadOnlyList<JourneyError> Errors) Parse(JsonObject body, JourneyReferences references)
    {
        var errors = new List<JourneyError>();
        foreach (var (key, _) in body)
        {
            if (!Keys.Contains(key))
            {
                errors.Add(new($"$.{key}", null, $"unknown key; a journey has {string.Join(", ", Keys)} (docs/journeys.md)"));
            }
        }

        var name = Text(body["name"])?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors.Add(new("$.name", null, $"give the journey a \"name\" of 1 to {MaxNameLength} characters"));
        }

        var trigger = Trigger(body["trigger"], references, errors);
        var goals = Goals(body, errors);
        var control = 0.1;
        if (body["controlGroup"] is { } cg)
        {
            if (cg is JsonValue v && v.TryGetValue<double>(out var share) && share is >= 0 and < 1)
            {
                control = share;
            }
            else
            {
                errors.Add(new("$.controlGroup", null, "controlGroup is the share of enrolled customers held out, from 0 to below 1, e.g. 0.1 (the default)"));
            }
        }

        var reentry = Text(body["reentry"]) switch
        {
            null or "afterExit" => JourneyReentry.AfterExit,
            "once" => JourneyReentry.Once,
            var other => Fail<JourneyReentry>(errors, new("$.reentry", null, $"'{other}' is not a re-entry rule; use \"afterExit\" (the default: again once the last enrolment ended) or \"once\"")),
        };

        var steps = JourneyStepParser.Steps(body["steps"], references, errors);
        if (steps.Count > 0)
        {
            errors.AddRange(JourneyGraph.Check(steps));
        }

        return errors.Count > 0 || trigger is null
            ? (null, errors)
            : (new JourneyDefinition(name!, Text(body["description"]), trigger, goals, control, reentry, steps, (JsonObject)body.DeepClone()), errors);
    }

    private static JourneyTrigger? Trigger(JsonNode? node, JourneyReferences references, List<JourneyError> errors)
    {
        const string Help = "a trigger is one of {\"event\": \"Checkout Started\"}, {\"segment\": \"Lapsing\"}, {\"date\": \"traits.birthday\"}, {\"prediction\": \"prediction.p_alive\", \"below\": 0.3}";
        if (node is not JsonObject t)
        {
            errors.Add(new("$.trigger", null, $"\"trigger\" is required: {Help}"));
            return null;
        }

        if (Text(t["event"]) is { } eventName)
        {
            var where = new Dictionary<string, string>(StringComparer.Ordinal);
            if (t["where"] is JsonObject w)
            {
                foreach (var (k, v) in w)
                {
                    where[k] = v is JsonValue jv ? jv.ToString() : v?.ToJsonString() ?? "";
                }
            }

            return new JourneyTrigger.Event(eventName, where);
        }

        if (t["segment"] is JsonValue segmentNode)
        {
            var segment = segmentNode.ToString();
            if (references.SegmentExists is { } exists && !exists(segment))
            {
                errors.Add(new("$.trigger.segment", null, $"there is no segment '{segment}'; use an existing segment's id or name (GET /v1/segments)"));
            }

            return new JourneyTrigger.Segment(segment);
        }

        if (Text(t["date"]) is { } date)
        {
            if (!date.StartsWith("traits.", StringComparison.Ordinal) || date.Length <= 7)
            {
                errors.Add(new("$.trigger.date", null, "a date trigger names a trait holding a yearly date, e.g. \"traits.birthday\""));
            }

            var before = t["daysBefore"] is JsonValue b && b.TryGetValue<int>(out var days) ? days : 0;
            if (before is < 0 or > 60)
            {
                errors.Add(new("$.trigger.daysBefore", null, "daysBefore is 0 to 60"));
            }

            return new JourneyTrigger.Date(date.Length > 7 ? date[7..] : date, before);
        }

        if (Text(t["prediction"]) is { } field)
        {
            var fields = references.Fields ?? SegmentFields.Default;
            if (!field.StartsWith("prediction.", StringComparison.Ordinal) || fields.Resolve(field, out _) is null)
            {
                errors.Add(new("$.trigger.prediction", null, "a prediction trigger names a prediction field, e.g. \"prediction.p_alive\" (docs/segments.md lists them)"));
            }

            if (t["below"] is not JsonValue bv || !bv.TryGetValue<double>(out var below))
            {
                errors.Add(new("$.trigger.below", null, "a prediction trigger needs \"below\": the threshold it must fall under, e.g. 0.3"));
                return null;
            }

            return new JourneyTrigger.Prediction(field, below);
        }

        errors.Add(new("$.trigger", null, Help));
        return null;
    }

    private static List<string> Goals(JsonObject body, List<JourneyError> errors)
    {
        var goals = new List<string>();
        foreach (var (key, node) in new[] { ("goal", body["goal"]), ("goals", body["goals"]) })
        {
            foreach (var item in node is JsonArray a ? a.ToArray() : node is null ? [] : [node])
            {
                if (item is JsonObject g && Text(g["event"]) is { } e)
                {
                    goals.Add(e);
                }
                else
                {
                    errors.Add(new($"$.{key}", null, "a goal is an event that ends the journey as reached, e.g. {\"event\": \"Order Completed\"}"));
                }
            }
        }

        return goals;
    }

    internal static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    internal static string Describe(JsonNode? node) => node?.ToJsonString() ?? "null";

    internal static T Fail<T>(List<JourneyError> errors, JourneyError error)
        where T : struct
    {
        errors.Add(error);
        return default;
    }

    internal static string Number(double d) => d.ToString(CultureInfo.InvariantCulture);
}
