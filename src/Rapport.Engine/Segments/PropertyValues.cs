using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rapport.Engine.Segments;

/// <summary>
/// The properties selectors filter on, read from one stored event's JSON into arrays that are
/// reused event after event: what a JsonObject of them would hold (the named
/// top-level scalars, and the same names inside each <c>products[]</c> element), without a tree
/// of nodes per event. A recomputation reads millions of events, and building those trees was
/// a fifth of its time and most of its garbage. Valid until the next <see cref="Read"/>; one per
/// loader (not thread-safe). Matched by <see cref="CompiledSelector"/> exactly as the JsonObject is.
/// </summary>
public sealed class PropertyValues
{
    /// <summary>The "product" that stands for the event's own properties in <see cref="TryGet"/>.</summary>
    internal const int TopLevel = -1;
    private static readonly byte[] Products = "products"u8.ToArray();
    private readonly string[] _names;
    private readonly byte[][] _utf8;
    private readonly Value[] _top;
    private readonly List<Value[]> _products = [];
    private int _productCount;
    private byte[] _text = new byte[256];
    private int _textLength;

    internal PropertyValues(IEnumerable<string> names)
    {
        _names = names.Where(n => n != "products").Distinct(StringComparer.Ordinal).ToArray();
        _utf8 = _names.Select(Encoding.UTF8.GetBytes).ToArray();
        _top = new Value[_names.Length];
    }

    /// <summary>How many products kept a filtered property (products without one are left out, as a product matches like the event then).</summary>
    internal int ProductCount => _productCount;

    /// <summary>Reads <paramref name="json"/>; a value that is not a JSON object, or damaged JSON, leaves no properties.</summary>
    public void Read(ReadOnlySpan<byte> json)
    {
        Array.Clear(_top);
        _productCount = 0;
        _textLength = 0;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(Products))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        _productCount = 0; // a repeated "products" replaces the earlier one, as in a JsonObject
                        ReadProducts(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }

                    continue;
                }

                ReadProperty(ref reader, _top);
            }
        }
        catch (JsonException)
        {
            // Stored properties are JSON written by Rapport; a damaged value matches no filter.
            Array.Clear(_top);
            _productCount = 0;
        }
    }

    /// <summary>The position of a filtered property's name; -1 when it is not read.</summary>
    internal int IndexOf(string name) => Array.IndexOf(_names, name);

    /// <summary>The value of property <paramref name="name"/> (from <see cref="IndexOf"/>) of a product, or of the event itself (<see cref="TopLevel"/>).</summary>
    internal bool TryGet(int product, int name, out Value value)
    {
        value = name < 0 ? default : product == TopLevel ? _top[name] : _products[product][name];
        return value.Kind != JsonTokenType.None;
    }

    /// <summary>A text value's unescaped UTF-8 bytes.</summary>
    internal ReadOnlySpan<byte> Text(in Value value) => _text.AsSpan(value.TextStart, value.TextLength);

    private void ReadProducts(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            if (_productCount == _products.Count)
            {
                _products.Add(new Value[_names.Length]);
            }

            var product = _products[_productCount];
            Array.Clear(product);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadProperty(ref reader, product);
            }

            if (Array.Exists(product, v => v.Kind != JsonTokenType.None))
            {
                _productCount++;
            }
        }
    }

    /// <summary>At a property name: keeps the value when the name is wanted and the value is a string, number or boolean (anything else unsets it).</summary>
    private void ReadProperty(ref Utf8JsonReader reader, Value[] into)
    {
        var wanted = -1;
        for (var i = 0; i < _utf8.Length && wanted < 0; i++)
        {
            if (reader.ValueTextEquals(_utf8[i]))
            {
                wanted = i;
            }
        }

        reader.Read();
        if (wanted < 0)
        {
            reader.Skip();
            return;
        }

        into[wanted] = reader.TokenType switch
        {
            JsonTokenType.String => String(ref reader),
            JsonTokenType.Number when reader.TryGetDouble(out var d) => new Value(JsonTokenType.Number, d, 0, 0),
            JsonTokenType.True or JsonTokenType.False => new Value(reader.TokenType, 0, 0, 0),
            _ => default,
        };
        if (into[wanted].Kind == JsonTokenType.None)
        {
            reader.Skip();
        }
    }

    private Value String(ref Utf8JsonReader reader)
    {
        var max = reader.ValueSpan.Length; // read from one span: never a value sequence
        if (_textLength + max > _text.Length)
        {
            Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + max));
        }

        var length = reader.CopyString(_text.AsSpan(_textLength)); // unescaped: never longer than the raw token
        var value = new Value(JsonTokenType.String, 0, _textLength, length);
        _textLength += length;
        return value;
    }

    /// <summary>A kept value: its JSON kind (None = not there), the number, or where its text is.</summary>
    internal readonly record struct Value(JsonTokenType Kind, double Number, int TextStart, int TextLength);

    /// <summary>The rules of <see cref="CompiledSelector"/> for a JsonValue, on a kept value.</summary>
    internal bool Holds(in Value v, PropertyFilter f, byte[]? utf8)
    {
        switch (f.Value.Kind)
        {
            case LiteralKind.Number:
                // Numbers, and numbers sent as strings ("9.99"), as tracking libraries do both.
                var n = v.Number;
                var isNumber = v.Kind == JsonTokenType.Number
                    || (v.Kind == JsonTokenType.String && double.TryParse(Text(v), NumberStyles.Float, CultureInfo.InvariantCulture, out n));
                return isNumber && CompareOps.Compare(n, f.Op, f.Value.Number);
            case LiteralKind.Boolean:
                bool? b = v.Kind switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.String => ParseBoolean(Text(v)),
                    _ => null,
                };
                return b is { } actual && (actual == f.Value.Boolean) == (f.Op == CompareOp.Eq);
            default:
                return v.Kind == JsonTokenType.String && TextEquals(Text(v), f.Value.Text!, utf8!) == (f.Op == CompareOp.Eq);
        }
    }

    private static bool? ParseBoolean(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[64];
        var text = utf8.Length <= chars.Length ? chars[..Encoding.UTF8.GetChars(utf8, chars)] : Encoding.UTF8.GetString(utf8).AsSpan();
        return bool.TryParse(text, out var parsed) ? parsed : null;
    }

    /// <summary>Case-insensitive equality (OrdinalIgnoreCase), without a string when both sides are ASCII.</summary>
    private static bool TextEquals(ReadOnlySpan<byte> value, string expected, byte[] expectedUtf8)
    {
        if (value.SequenceEqual(expectedUtf8))
        {
            return true;
        }

        return Ascii.IsValid(value) && Ascii.IsValid(expectedUtf8)
            ? Ascii.EqualsIgnoreCase(value, expectedUtf8)
            : string.Equals(Encoding.UTF8.GetString(value), expected, StringComparison.OrdinalIgnoreCase);
    }
}
