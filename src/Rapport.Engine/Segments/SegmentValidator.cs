namespace Rapport.Engine.Segments;

/// <summary>
/// Checks what a parsed definition means: fields exist, values have the field's type and range,
/// windows are 1 to 3650 days, counts are sensible. Every mistake is reported with its position.
/// </summary>
public static class SegmentValidator
{
    public const int MaxWindowDays = 3650;
    public const int MaxConditions = 200;
    public const int MaxDepth = 32;

    /// <summary>The event types a behaviour can count (alias only links identities).</summary>
    public static readonly IReadOnlyList<string> EventTypes = ["track", "page", "screen", "identify", "group"];

    /// <summary>The channels an event can have; the same list as Rapport.Core.Events.Channels.</summary>
    public static readonly IReadOnlyList<string> Channels = ["web", "app", "store", "phone", "email", "chat"];

    /// <summary>Rapport's own membership events: counting them would make segments depend on each other's history.</summary>
    public static readonly IReadOnlyList<string> ReservedEventNames = ["Segment Entered", "Segment Left"];

    public static List<SegmentError> Validate(SegmentNode root, SegmentFields fields)
    {
        var errors = new List<SegmentError>();
        var conditions = 0;
        Visit(root, 1);
        if (conditions > MaxConditions)
        {
            errors.Insert(0, new(root.Position, $"a segment has at most {MaxConditions} conditions; this one has {conditions}"));
        }

        return errors;

        void Visit(SegmentNode node, int depth)
        {
            if (depth > MaxDepth)
            {
                errors.Add(new(node.Position, $"conditions nest at most {MaxDepth} deep"));
                return;
            }

            switch (node)
            {
                case AndNode and:
                    foreach (var item in and.Items)
                    {
                        Visit(item, depth + 1);
                    }

                    break;
                case OrNode or:
                    foreach (var item in or.Items)
                    {
                        Visit(item, depth + 1);
                    }

                    break;
                case NotNode not:
                    Visit(not.Item, depth + 1);
                    break;
                case FieldNode f:
                    conditions++;
                    CheckField(f, fields, errors);
                    break;
                case EventNode e:
                    conditions++;
                    CheckEvent(e, errors);
                    break;
            }
        }
    }

    private static void CheckField(FieldNode f, SegmentFields fields, List<SegmentError> errors)
    {
        var spec = fields.Resolve(f.Field, out var unknown);
        if (spec is null)
        {
            errors.Add(new(f.Position, unknown!));
            return;
        }

        var name = SegmentText.WriteField(f.Field);
        if (f.Op == CompareOp.Exists)
        {
            return;
        }

        if (f.Op == CompareOp.In && f.Values.Select(v => v.Kind).Distinct().Count() > 1)
        {
            errors.Add(new(f.ValuePosition, $"the values after 'in' are all numbers or all texts, not a mix"));
            return;
        }

        foreach (var value in f.Values)
        {
            if (TypeError(name, spec, f.Op, value) is { } reason)
            {
                errors.Add(new(f.ValuePosition, reason));
                return;
            }
        }
    }

    private static string? TypeError(string name, FieldSpec spec, CompareOp op, Literal value)
    {
        switch (spec.Type)
        {
            case FieldType.Number when value.Kind != LiteralKind.Number:
                return value.Kind == LiteralKind.Text && double.TryParse(value.Text, System.Globalization.CultureInfo.InvariantCulture, out _)
                    ? $"{name} is a number; write {value.Text} without quotes"
                    : $"{name} is a number and cannot be compared with {value.Describe()}; write a number such as 10";
            case FieldType.Number when spec.Min is { } min && spec.Max is { } max && (value.Number < min || value.Number > max):
                return $"{name} is between {Literal.FormatNumber(min)} and {Literal.FormatNumber(max)}; {value} is outside that range"
                       + (max == 1 && value.Number is > 1 and <= 100 ? $" (write {Literal.FormatNumber(value.Number / 100)} for {value}%)" : "");
            case FieldType.Number when spec.Min is { } min && value.Number < min:
                return $"{name} is never below {Literal.FormatNumber(min)}; {value} is outside that range";
            case FieldType.Number when spec.WholeNumber && !value.IsWholeNumber && op is CompareOp.Eq or CompareOp.Ne or CompareOp.In:
                return $"{name} is a whole number, so it never equals {value}";
            case FieldType.Text when value.Kind != LiteralKind.Text:
                return $"{name} is text and cannot be compared with {value.Describe()}; quote the value: \"{value}\"";
            case FieldType.Text when CompareOps.IsOrdering(op):
                return $"'{CompareOps.Symbol(op)}' compares numbers; {name} is text: use =, != or in";
            case FieldType.Boolean when value.Kind != LiteralKind.Boolean:
                return $"{name} is true or false and cannot be compared with {value.Describe()}";
            case FieldType.Boolean when op is not (CompareOp.Eq or CompareOp.Ne):
                return $"{name} is true or false: use = or !=";
            case FieldType.Any when CompareOps.IsOrdering(op) && value.Kind != LiteralKind.Number:
                return $"'{CompareOps.Symbol(op)}' compares numbers and cannot compare {name} with {value.Describe()}: use = or != for text";
            default:
                return null;
        }
    }

    private static void CheckEvent(EventNode e, List<SegmentError> errors)
    {
        var s = e.Selector;
        if (!EventTypes.Contains(s.Type))
        {
            errors.Add(new(s.TypePosition, $"unknown event type '{s.Type}'; use {string.Join(", ", EventTypes)}"));
        }

        if (s.Name is { } name && (name.Trim().Length == 0 || ReservedEventNames.Contains(name)))
        {
            errors.Add(new(s.TypePosition, name.Trim().Length == 0
                ? "an event name cannot be empty; leave it out to count every event of the type"
                : $"'{name}' is Rapport's own membership event and cannot be counted; use the other segment's definition instead"));
        }

        foreach (var f in s.Where)
        {
            CheckFilter(f, errors);
        }

        switch (e.LastDays)
        {
            case null:
                errors.Add(new(e.Position, $"a behaviour needs a window: add 'last N days' (1 to {MaxWindowDays}), e.g. bought(last 90 days)"));
                break;
            case var d when d != Math.Floor(d.Value):
                errors.Add(new(e.WindowPosition, $"windows are whole days; {Literal.FormatNumber(d.Value)} is not"));
                break;
            case <= 0 and var d:
                errors.Add(new(e.WindowPosition, $"the window must be at least 1 day; 'last {Literal.FormatNumber(d)} days' contains no time"));
                break;
            case > MaxWindowDays and var d:
                errors.Add(new(e.WindowPosition, $"the window is at most {MaxWindowDays} days (10 years); {Literal.FormatNumber(d)} is too long"));
                break;
        }

        var count = e.Count;
        var reason = e.Op switch
        {
            CompareOp.In or CompareOp.Exists => "compare a behaviour with =, !=, <, <=, > or >=",
            _ when count != Math.Floor(count) => $"events are counted in whole numbers; {Literal.FormatNumber(count)} is not one",
            _ when count < 0 => $"a count is never negative; {Literal.FormatNumber(count)} makes no sense",
            CompareOp.Lt when count == 0 => "never true: a count is never below 0. For 'did not', write not viewed(...) or = 0",
            CompareOp.Ge when count == 0 => "always true: every customer did it at least 0 times",
            _ when count > int.MaxValue => $"{Literal.FormatNumber(count)} is more events than Rapport counts",
            _ => null,
        };
        if (reason is not null)
        {
            errors.Add(new(e.CountPosition, reason));
        }
    }

    private static void CheckFilter(PropertyFilter f, List<SegmentError> errors)
    {
        if (f.Property.Trim().Length == 0)
        {
            errors.Add(new(f.Position, "a filter needs a property name, e.g. category = \"Lamps\""));
            return;
        }

        if (f.Property == EventSelector.ChannelFilter)
        {
            if (f.Op is not (CompareOp.Eq or CompareOp.Ne) || f.Value.Kind != LiteralKind.Text || !Channels.Contains(f.Value.Text!))
            {
                errors.Add(new(f.Position, $"channel is one of {string.Join(", ", Channels.Select(Literal.Quote))}, compared with = or !="));
            }

            return;
        }

        if (f.Op is CompareOp.In or CompareOp.Exists)
        {
            errors.Add(new(f.Position, "filters compare with =, !=, <, <=, > or >="));
        }
        else if (CompareOps.IsOrdering(f.Op) && f.Value.Kind != LiteralKind.Number)
        {
            errors.Add(new(f.Position, $"'{CompareOps.Symbol(f.Op)}' compares numbers; {f.Value.Describe()} is not one: use = or !="));
        }
    }
}
