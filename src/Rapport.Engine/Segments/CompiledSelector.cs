using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rapport.Engine.Segments;

/// <summary>
/// An <see cref="EventSelector"/> ready to test events: a filter holds on the event's own
/// properties, or on one product of its <c>products[]</c> (falling back to the event's property
/// when the product lacks it), so all filters must hold for the same product.
/// </summary>
public sealed class CompiledSelector
{
    private readonly PropertyFilter[] _filters;
    private readonly byte[]?[] _utf8;
    private readonly PropertyFilter[] _channel;

    internal CompiledSelector(EventSelector selector, int[] windows)
    {
        Selector = selector;
        Windows = windows;
        MaxWindow = windows.Max();
        _channel = selector.Where.Where(f => f.Property == EventSelector.ChannelFilter).ToArray();
        _filters = selector.Where.Where(f => f.Property != EventSelector.ChannelFilter).ToArray();
        _utf8 = _filters.Select(f => f.Value.Kind == LiteralKind.Text ? Encoding.UTF8.GetBytes(f.Value.Text!) : null).ToArray();
    }

    public EventSelector Selector { get; }

    /// <summary>The distinct windows (days) that count these events, ascending.</summary>
    public IReadOnlyList<int> Windows { get; }

    /// <summary>How many days back counts are kept.</summary>
    public int MaxWindow { get; }

    /// <summary>True when matching reads the event's properties (so a loader must parse them).</summary>
    public bool ReadsProperties => _filters.Length > 0;

    public bool Matches(in BehaviourEvent e)
    {
        if (e.Type != Selector.Type || (Selector.Name is not null && e.Name != Selector.Name))
        {
            return false;
        }

        foreach (var c in _channel)
        {
            if (string.Equals(e.Channel, c.Value.Text, StringComparison.OrdinalIgnoreCase) != (c.Op == CompareOp.Eq))
            {
                return false;
            }
        }

        if (_filters.Length == 0)
        {
            return true;
        }

        if (e.Values is { } values)
        {
            return Matches(values);
        }

        var properties = e.Properties;
        if (properties is null)
        {
            return false;
        }

        if (AllHold(properties, null))
        {
            return true;
        }

        if (properties["products"] is JsonArray products)
        {
            // Indexing, not foreach: JsonArray's enumerator is an interface (an allocation per event).
            for (var i = 0; i < products.Count; i++)
            {
                if (products[i] is JsonObject p && AllHold(p, properties))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>As for a JsonObject: the event's own values, else one product's with the event's as fallback.</summary>
    private bool Matches(PropertyValues values)
    {
        if (AllHold(values, PropertyValues.TopLevel))
        {
            return true;
        }

        for (var p = 0; p < values.ProductCount; p++)
        {
            if (AllHold(values, p))
            {
                return true;
            }
        }

        return false;
    }

    private bool AllHold(PropertyValues values, int product)
    {
        for (var i = 0; i < _filters.Length; i++)
        {
            var f = _filters[i];
            var name = values.IndexOf(f.Property);
            var found = values.TryGet(product, name, out var v) || (product != PropertyValues.TopLevel && values.TryGet(PropertyValues.TopLevel, name, out v));
            if (!found || !values.Holds(v, f, _utf8[i]))
            {
                return false;
            }
        }

        return true;
    }

    private bool AllHold(JsonObject own, JsonObject? fallback)
    {
        for (var i = 0; i < _filters.Length; i++)
        {
            var f = _filters[i];
            var node = own[f.Property] ?? fallback?[f.Property];
            if (node is not JsonValue v || !Holds(v, f, _utf8[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Holds(JsonValue v, PropertyFilter f, byte[]? utf8)
    {
        var kind = v.GetValueKind();
        switch (f.Value.Kind)
        {
            case LiteralKind.Number:
                return TryNumber(v, kind, out var n) && CompareOps.Compare(n, f.Op, f.Value.Number);
            case LiteralKind.Boolean:
                var b = kind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String when bool.TryParse(v.GetValue<string>(), out var parsed) => parsed,
                    _ => (bool?)null,
                };
                return b is { } actual && (actual == f.Value.Boolean) == (f.Op == CompareOp.Eq);
            default:
                return kind == JsonValueKind.String && TextEquals(v, f.Value.Text!, utf8!) == (f.Op == CompareOp.Eq);
        }
    }

    /// <summary>
    /// Case-insensitive equality without materialising the string when the value is parsed JSON
    /// (as ingested events are) and ASCII without escapes: the common case allocates nothing.
    /// </summary>
    private static bool TextEquals(JsonValue v, string expected, byte[] expectedUtf8)
    {
        if (!v.TryGetValue(out JsonElement element))
        {
            return string.Equals(v.GetValue<string>(), expected, StringComparison.OrdinalIgnoreCase);
        }

        if (element.ValueEquals(expectedUtf8))
        {
            return true;
        }

        var raw = JsonMarshal.GetRawUtf8Value(element); // the token, quotes included
        if (raw.Length >= 2 && raw[0] == (byte)'"' && raw.IndexOf((byte)'\\') < 0)
        {
            var text = raw[1..^1];
            if (System.Text.Ascii.IsValid(text) && System.Text.Ascii.IsValid(expectedUtf8))
            {
                return System.Text.Ascii.EqualsIgnoreCase(text, expectedUtf8);
            }
        }

        return string.Equals(element.GetString(), expected, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Numbers, and numbers sent as strings ("9.99"), as tracking libraries do both.</summary>
    private static bool TryNumber(JsonValue v, JsonValueKind kind, out double n)
    {
        n = 0;
        if (kind == JsonValueKind.String)
        {
            return double.TryParse(v.GetValue<string>(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out n);
        }

        if (kind != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue(out n))
        {
            return true;
        }

        if (v.TryGetValue(out decimal d))
        {
            n = (double)d;
            return true;
        }

        if (v.TryGetValue(out long l))
        {
            n = l;
            return true;
        }

        if (v.TryGetValue(out int i))
        {
            n = i;
            return true;
        }

        return false;
    }
}
