using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rapport.Engine.Segments;

/// <summary>
/// The JSON form of a definition (docs/segments.md):
/// <c>{"and": [...]}</c>, <c>{"or": [...]}</c>, <c>{"not": {...}}</c>,
/// <c>{"field": "value.revenue", "op": "&gt;=", "value": 100}</c>,
/// <c>{"event": {"type": "track", "name": "Order Completed", "where": [...], "lastDays": 90}, "op": "&gt;=", "count": 2}</c>.
/// Reading (here) collects every shape mistake with its JSON path; writing (SegmentJson.Write.cs)
/// gives the canonical form.
/// </summary>
public static partial class SegmentJson
{
    private static readonly string[] NodeKinds = ["and", "or", "not", "field", "event"];
    private static readonly string[] FieldKeys = ["field", "op", "value"];
    private static readonly string[] EventKeys = ["event", "op", "count", "atLeast", "atMost", "exactly"];
    private static readonly string[] SelectorKeys = ["type", "name", "where", "lastDays"];
    private static readonly string[] FilterKeys = ["property", "op", "value"];

    /// <summary>Reads a definition; null when there were errors (all of them added to <paramref name="errors"/>).</summary>
    public static SegmentNode? Read(JsonNode? node, string path, List<SegmentError> errors)
    {
        var before = errors.Count;
        var result = ReadNode(node, path, errors);
        return errors.Count == before ? result : null;
    }

    private static SegmentNode? ReadNode(JsonNode? node, string path, List<SegmentError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(new(At(path), $"expected a condition object with one of: {string.Join(", ", NodeKinds)}"));
            return null;
        }

        var kinds = NodeKinds.Where(o.ContainsKey).ToList();
        if (kinds.Count != 1)
        {
            errors.Add(new(At(path), kinds.Count == 0
                ? $"a condition needs one of: {string.Join(", ", NodeKinds)}{UnknownKeys(o, NodeKinds.Concat(FieldKeys).Concat(EventKeys))}"
                : $"a condition has exactly one of {string.Join(", ", NodeKinds)}; this one has {string.Join(" and ", kinds)}: split it or nest it in \"and\""));
            return null;
        }

        switch (kinds[0])
        {
            case "and":
            case "or":
                return ReadList(o, kinds[0], path, errors);
            case "not":
                CheckKeys(o, ["not"], path, errors);
                var inner = ReadNode(o["not"], path + ".not", errors);
                return inner is null ? null : new NotNode(inner, At(path));
            case "field":
                return ReadField(o, path, errors);
            default:
                return ReadEvent(o, path, errors);
        }
    }

    private static SegmentNode? ReadList(JsonObject o, string kind, string path, List<SegmentError> errors)
    {
        CheckKeys(o, [kind], path, errors);
        if (o[kind] is not JsonArray items || items.Count == 0)
        {
            errors.Add(new(At($"{path}.{kind}"), $"\"{kind}\" takes a non-empty array of conditions"));
            return null;
        }

        var list = new List<SegmentNode>();
        for (var i = 0; i < items.Count; i++)
        {
            var child = ReadNode(items[i], $"{path}.{kind}[{i}]", errors);
            if (child is AndNode a && kind == "and")
            {
                list.AddRange(a.Items);
            }
            else if (child is OrNode r && kind == "or")
            {
                list.AddRange(r.Items);
            }
            else if (child is not null)
            {
                list.Add(child);
            }
        }

        if (list.Count == 1)
        {
            return list[0];
        }

        return kind == "and" ? new AndNode(list, At(path)) : new OrNode(list, At(path));
    }

    private static FieldNode? ReadField(JsonObject o, string path, List<SegmentError> errors)
    {
        var ok = CheckKeys(o, FieldKeys, path, errors);
        var field = ReadString(o, "field", path, errors);
        var op = ReadOp(o, path, errors, "=, !=, <, <=, >, >=, in or exists", allowFieldOps: true);
        var values = new List<Literal>();
        var valuePath = path + ".value";
        if (op == CompareOp.Exists)
        {
            if (o.ContainsKey("value"))
            {
                errors.Add(new(At(valuePath), "\"exists\" takes no value; remove \"value\""));
                ok = false;
            }
        }
        else if (op == CompareOp.In)
        {
            if (o["value"] is not JsonArray list || list.Count == 0)
            {
                errors.Add(new(At(valuePath), "\"in\" takes a non-empty array of values, e.g. [\"DE\", \"AT\"]"));
                ok = false;
            }
            else
            {
                for (var i = 0; i < list.Count; i++)
                {
                    ok &= ReadLiteral(list[i], $"{valuePath}[{i}]", errors, out var l);
                    values.Add(l);
                }
            }
        }
        else if (op is not null)
        {
            if (!o.ContainsKey("value"))
            {
                errors.Add(new(At(path), $"\"{CompareOps.Symbol(op.Value)}\" needs a \"value\" to compare with"));
                ok = false;
            }
            else
            {
                ok &= ReadLiteral(o["value"], valuePath, errors, out var l);
                values.Add(l);
            }
        }

        return ok && field is not null && op is not null ? new FieldNode(field, op.Value, values, At(path + ".field"), At(valuePath)) : null;
    }

    private static EventNode? ReadEvent(JsonObject o, string path, List<SegmentError> errors)
    {
        var ok = CheckKeys(o, EventKeys, path, errors);
        var selectorPath = path + ".event";
        if (o["event"] is not JsonObject s)
        {
            errors.Add(new(At(selectorPath), "\"event\" takes an object: {\"type\": \"track\", \"name\": \"Order Completed\", \"lastDays\": 30}"));
            return null;
        }

        ok &= CheckKeys(s, SelectorKeys, selectorPath, errors);
        var type = s.ContainsKey("type") ? ReadString(s, "type", selectorPath, errors) : null;
        if (type is null && !s.ContainsKey("type"))
        {
            errors.Add(new(At(selectorPath), "an event needs a \"type\": track, page, screen, identify or group"));
        }

        var name = s.ContainsKey("name") ? ReadString(s, "name", selectorPath, errors) : null;
        ok &= !s.ContainsKey("name") || name is not null;
        var filters = new List<PropertyFilter>();
        if (s.ContainsKey("where"))
        {
            if (s["where"] is not JsonArray where)
            {
                errors.Add(new(At(selectorPath + ".where"), "\"where\" takes an array of filters: [{\"property\": \"category\", \"op\": \"=\", \"value\": \"Lamps\"}]"));
                ok = false;
            }
            else
            {
                for (var i = 0; i < where.Count; i++)
                {
                    var filterPath = $"{selectorPath}.where[{i}]";
                    if (where[i] is not JsonObject f)
                    {
                        errors.Add(new(At(filterPath), "a filter is an object: {\"property\": \"category\", \"op\": \"=\", \"value\": \"Lamps\"}"));
                        ok = false;
                        continue;
                    }

                    ok &= CheckKeys(f, FilterKeys, filterPath, errors);
                    var property = ReadString(f, "property", filterPath, errors);
                    var op = ReadOp(f, filterPath, errors, "=, !=, <, <=, >, >=", allowFieldOps: false);
                    var value = default(Literal);
                    var valueOk = (f.ContainsKey("value") || Missing(filterPath, "value", errors))
                                  && ReadLiteral(f["value"], filterPath + ".value", errors, out value);
                    if (property is not null && op is not null && valueOk)
                    {
                        filters.Add(new PropertyFilter(property, op.Value, value, At(filterPath)));
                    }
                    else
                    {
                        ok = false;
                    }
                }
            }
        }

        double? days = null;
        var windowPath = selectorPath + ".lastDays";
        if (s.ContainsKey("lastDays"))
        {
            days = ReadNumber(s["lastDays"], windowPath, errors);
            ok &= days is not null;
        }

        var (cmp, count, countPath) = ReadCount(o, path, errors, ref ok);
        return ok && type is not null
            ? new EventNode(new EventSelector(type, name, filters, At(selectorPath + ".type")), days, cmp, count, At(selectorPath), At(windowPath), At(countPath))
            : null;
    }

    /// <summary>"op" + "count", or one of "atLeast", "atMost", "exactly"; nothing means at least once.</summary>
    private static (CompareOp Op, double Count, string Path) ReadCount(JsonObject o, string path, List<SegmentError> errors, ref bool ok)
    {
        var forms = new[] { "count", "atLeast", "atMost", "exactly" }.Where(o.ContainsKey).ToList();
        if (forms.Count > 1)
        {
            errors.Add(new(At(path), $"give one of \"count\" (with \"op\"), \"atLeast\", \"atMost\" or \"exactly\"; this has {string.Join(" and ", forms)}"));
            ok = false;
            return (CompareOp.Ge, 1, path);
        }

        if (forms.Count == 0)
        {
            if (o.ContainsKey("op"))
            {
                errors.Add(new(At(path + ".op"), "\"op\" compares the number of events with \"count\"; add \"count\""));
                ok = false;
            }

            return (CompareOp.Ge, 1, path + ".event");
        }

        var form = forms[0];
        var countPath = $"{path}.{form}";
        var n = ReadNumber(o[form], countPath, errors);
        ok &= n is not null;
        if (form != "count")
        {
            if (o.ContainsKey("op"))
            {
                errors.Add(new(At(path + ".op"), $"\"{form}\" already says how to compare; remove \"op\""));
                ok = false;
            }

            return (form switch { "atLeast" => CompareOp.Ge, "atMost" => CompareOp.Le, _ => CompareOp.Eq }, n ?? 0, countPath);
        }

        var op = o.ContainsKey("op") ? ReadOp(o, path, errors, "=, !=, <, <=, >, >=", allowFieldOps: false) : CompareOp.Ge;
        ok &= op is not null;
        return (op ?? CompareOp.Ge, n ?? 0, countPath);
    }

    private static CompareOp? ReadOp(JsonObject o, string path, List<SegmentError> errors, string allowed, bool allowFieldOps)
    {
        if (!o.ContainsKey("op"))
        {
            Missing(path, "op", errors);
            return null;
        }

        var text = o["op"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var op = text is null ? null : CompareOps.Parse(text.ToLowerInvariant());
        if (op is null || (!allowFieldOps && op is CompareOp.In or CompareOp.Exists))
        {
            errors.Add(new(At(path + ".op"), $"\"op\" is one of {allowed}"));
            return null;
        }

        return op;
    }

    private static string? ReadString(JsonObject o, string key, string path, List<SegmentError> errors)
    {
        if (!o.ContainsKey(key))
        {
            Missing(path, key, errors);
            return null;
        }

        if (o[key] is JsonValue v && v.TryGetValue<string>(out var s))
        {
            return s;
        }

        errors.Add(new(At($"{path}.{key}"), $"\"{key}\" must be a string"));
        return null;
    }

    private static double? ReadNumber(JsonNode? node, string path, List<SegmentError> errors)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d))
        {
            return d;
        }

        errors.Add(new(At(path), node is JsonValue t && t.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? $"write the number without quotes: {s}"
            : "expected a number"));
        return null;
    }

    private static bool ReadLiteral(JsonNode? node, string path, List<SegmentError> errors, out Literal literal)
    {
        literal = default;
        if (node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.String:
                    literal = Literal.Of(v.GetValue<string>());
                    return true;
                case JsonValueKind.Number:
                    literal = Literal.Of(v.GetValue<double>());
                    return true;
                case JsonValueKind.True:
                case JsonValueKind.False:
                    literal = Literal.Of(v.GetValue<bool>());
                    return true;
            }
        }

        errors.Add(new(At(path), "expected a number, a string, true or false"));
        return false;
    }

    private static bool CheckKeys(JsonObject o, IReadOnlyCollection<string> allowed, string path, List<SegmentError> errors)
    {
        var ok = true;
        foreach (var (key, _) in o)
        {
            if (!allowed.Contains(key))
            {
                errors.Add(new(At($"{path}.{key}"), $"unknown key \"{key}\"; allowed here: {string.Join(", ", allowed)}"));
                ok = false;
            }
        }

        return ok;
    }

    private static bool Missing(string path, string key, List<SegmentError> errors)
    {
        errors.Add(new(At(path), $"missing \"{key}\""));
        return false;
    }

    private static string UnknownKeys(JsonObject o, IEnumerable<string> known)
    {
        var unknown = o.Select(kv => kv.Key).Except(known).ToList();
        return unknown.Count == 0 ? "" : $" (found {string.Join(", ", unknown.Select(k => $"\"{k}\""))})";
    }

    private static SourcePosition At(string path) => SourcePosition.AtPath(path);
}
