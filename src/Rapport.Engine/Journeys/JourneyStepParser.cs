using System.Globalization;
using System.Text.Json.Nodes;
using Rapport.Engine.Segments;
using static Rapport.Engine.Journeys.JourneyParser;

namespace Rapport.Engine.Journeys;

/// <summary>Reads the steps of a journey; a step without "next" goes on to the step listed after it.</summary>
internal static class JourneyStepParser
{
    private static readonly string[] Channels = ["email", "sms", "push"];
    private static readonly string[] Purposes = ["marketing", "service"];

    public static List<JourneyStep> Steps(JsonNode? node, JourneyReferences references, List<JourneyError> errors)
    {
        if (node is not JsonArray array || array.Count == 0)
        {
            errors.Add(new("$.steps", null, "\"steps\" is a non-empty list; the first step is where every enrolment starts"));
            return [];
        }

        if (array.Count > MaxSteps)
        {
            errors.Add(new("$.steps", null, $"a journey has at most {MaxSteps} steps"));
            return [];
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var steps = new List<JourneyStep>();
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"$.steps[{i}]";
            if (array[i] is not JsonObject s)
            {
                errors.Add(new(path, null, "a step is an object with an id and a type"));
                continue;
            }

            var id = Text(s["id"]) ?? $"step{i + 1}";
            if (!ids.Add(id))
            {
                errors.Add(new($"{path}.id", id, $"two steps are called '{id}'; give each step its own id"));
            }

            // Default next: the step listed after this one, or the end.
            var following = i + 1 < array.Count && array[i + 1] is JsonObject n ? Text(n["id"]) ?? $"step{i + 2}" : null;
            var next = s.ContainsKey("next") ? Text(s["next"]) : following;
            if (Step(s, path, id, next, following, references, errors) is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private static JourneyStep? Step(JsonObject s, string path, string id, string? next, string? following, JourneyReferences references, List<JourneyError> errors)
    {
        var type = Text(s["type"]);
        switch (type)
        {
            case JourneyStepTypes.Wait:
                return Wait(s, path, id, next, errors);
            case JourneyStepTypes.Condition:
                return Condition(s, path, id, following, references, errors);
            case JourneyStepTypes.Send:
            {
                var channel = Text(s["channel"]) ?? "email";
                var template = Template(s, path, id, channel, references, errors);
                var purpose = Text(s["purpose"]) ?? "marketing";
                Check(Channels.Contains(channel), errors, new($"{path}.channel", id, $"'{channel}' is not a channel messages go out on; use one of {string.Join(", ", Channels)}"));
                Check(Purposes.Contains(purpose), errors, new($"{path}.purpose", id, $"'{purpose}' is not a message purpose; use marketing (needs consent) or service"));
                return new SendStep(id, next, channel, template ?? "", purpose);
            }

            case JourneyStepTypes.NextBestAction:
            {
                var channel = Text(s["channel"]) ?? "email";
                var template = Template(s, path, id, channel, references, errors);
                var limit = s["limit"] is JsonValue l && l.TryGetValue<int>(out var n) ? n : 3;
                Check(limit is >= 1 and <= 10, errors, new($"{path}.limit", id, "limit is 1 to 10 offers"));
                return new NextBestActionStep(id, next, channel, Text(s["placement"]), template ?? "", limit);
            }

            case JourneyStepTypes.Task:
            {
                var title = Text(s["title"]);
                Check(title is { Length: <= 500 }, errors, new($"{path}.title", id, "a task needs a \"title\" (up to 500 characters) saying what the account manager should do"));
                TimeSpan? due = null;
                if (Text(s["due"]) is { } dueText)
                {
                    Check(JourneyDuration.TryParse(dueText, out var d), errors, new($"{path}.due", id, $"'{dueText}' is not a duration; write e.g. \"1d\" or \"4h\""));
                    due = d;
                }

                return new TaskStep(id, next, title ?? "", due);
            }

            case JourneyStepTypes.Reward:
            {
                var points = s["points"] is JsonValue p && p.TryGetValue<long>(out var pts) ? pts : 0;
                Check(points is > 0 and <= 1_000_000, errors, new($"{path}.points", id, "a reward grants \"points\": a whole number from 1 to 1,000,000"));
                return new RewardStep(id, next, points, Text(s["note"]));
            }

            case JourneyStepTypes.Exit:
                return new ExitStep(id);
            default:
                errors.Add(new($"{path}.type", id, type is null
                    ? $"a step needs a \"type\": one of {string.Join(", ", JourneyStepTypes.All)}"
                    : $"'{type}' is not a step type (unknown action); use one of {string.Join(", ", JourneyStepTypes.All)}"));
                return null;
        }
    }

    private static WaitStep? Wait(JsonObject s, string path, string id, string? next, List<JourneyError> errors)
    {
        const string Help = "a wait has \"duration\" (e.g. \"1h\", \"3d\"), or \"until\": a time of day \"09:00\" (UTC), a date \"2026-12-24T09:00:00Z\", or \"cadence\" (before the customer's next purchase is due)";
        var durationText = Text(s["duration"]);
        var until = Text(s["until"]);
        if ((durationText is null) == (until is null))
        {
            errors.Add(new(path, id, Help));
            return null;
        }

        if (durationText is not null)
        {
            Check(JourneyDuration.TryParse(durationText, out var d) && d > TimeSpan.Zero, errors, new($"{path}.duration", id, $"'{durationText}' is not a duration; write e.g. \"30m\", \"1h\", \"3d\", \"1w\""));
            return new WaitStep(id, next, d, null, null, false, TimeSpan.Zero, null);
        }

        if (until == "cadence")
        {
            var before = TimeSpan.Zero;
            if (Text(s["before"]) is { } b)
            {
                Check(JourneyDuration.TryParse(b, out before), errors, new($"{path}.before", id, $"'{b}' is not a duration; write e.g. \"3d\""));
            }

            var fallbackText = Text(s["fallback"]);
            var hasFallback = JourneyDuration.TryParse(fallbackText, out var fallback);
            Check(hasFallback, errors, new($"{path}.fallback", id, "a cadence wait needs \"fallback\": how long to wait for customers with no repeat purchases yet, e.g. \"30d\""));
            return new WaitStep(id, next, null, null, null, true, before, hasFallback ? fallback : null);
        }

        if (TimeOnly.TryParseExact(until, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return new WaitStep(id, next, null, time, null, false, TimeSpan.Zero, null);
        }

        if (DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            return new WaitStep(id, next, null, null, date, false, TimeSpan.Zero, null);
        }

        errors.Add(new($"{path}.until", id, $"'{until}' is not a time or date; {Help}"));
        return null;
    }

    private static ConditionStep Condition(JsonObject s, string path, string id, string? following, JourneyReferences references, List<JourneyError> errors)
    {
        var then = s.ContainsKey("then") ? Text(s["then"]) : following;
        var otherwise = s.ContainsKey("else") ? Text(s["else"]) : following;
        SegmentDefinition? definition = null;
        string? inSegment = null;
        if (s["if"] is { } ifNode)
        {
            var fields = references.Fields ?? SegmentFields.Default;
            var parsed = ifNode is JsonValue v && v.TryGetValue<string>(out var text) ? SegmentDefinition.Parse(text, fields) : SegmentDefinition.FromJson(ifNode, fields, $"{path}.if");
            foreach (var e in parsed.Errors)
            {
                errors.Add(new(e.Position.Path ?? $"{path}.if", id, $"{(e.Position.Path is null ? e.Position + ": " : "")}{e.Reason} (the segment language, docs/segments.md)"));
            }

            definition = parsed.Definition;
        }
        else if (s["inSegment"] is JsonValue seg)
        {
            inSegment = seg.ToString();
            Check(references.SegmentExists?.Invoke(inSegment) ?? true, errors, new($"{path}.inSegment", id, $"there is no segment '{inSegment}'; use an existing segment's id or name (GET /v1/segments)"));
        }
        else
        {
            errors.Add(new(path, id, "a condition has \"if\" (segment language, e.g. \"value.orders >= 2\") or \"inSegment\" (a segment id or name), and \"then\"/\"else\" step ids"));
        }

        return new ConditionStep(id, then, otherwise, definition, inSegment);
    }

    private static string? Template(JsonObject s, string path, string id, string channel, JourneyReferences references, List<JourneyError> errors)
    {
        var template = Text(s["template"]);
        if (template is null)
        {
            errors.Add(new($"{path}.template", id, "name the message \"template\" to send (PUT /v1/templates/NAME creates one)"));
            return null;
        }

        if (references.TemplateChannel is { } lookup)
        {
            var actual = lookup(template);
            if (actual is null)
            {
                errors.Add(new($"{path}.template", id, $"there is no template '{template}'; create it first with PUT /v1/templates/{template}, or fix the name"));
            }
            else if (actual != channel)
            {
                errors.Add(new($"{path}.template", id, $"template '{template}' is for {actual}, but this step sends on {channel}; set \"channel\": \"{actual}\" or use a {channel} template"));
            }
        }

        return template;
    }

    private static void Check(bool ok, List<JourneyError> errors, JourneyError error)
    {
        if (!ok)
        {
            errors.Add(error);
        }
    }
}
