using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rapport.Engine.Segments;

/// <summary>
/// Reads just the properties selectors filter on from an event's stored properties JSON: the
/// named top-level properties, and the same names inside each <c>products[]</c> element.
/// Matching the result gives the same answer as matching the whole parsed object, at a fraction
/// of the cost of building the whole tree (what loading a year of events spends most time on).
/// </summary>
public sealed class EventProperties
{
    private const int StackLimit = 1024;
    private static readonly byte[] Products = "products"u8.ToArray();
    private readonly string[] _names;
    private readonly byte[][] _utf8;

    public EventProperties(IEnumerable<string> names)
    {
        _names = names.Where(n => n != "products").Distinct(StringComparer.Ordinal).ToArray();
        _utf8 = _names.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    /// <summary>The subset of <paramref name="json"/> that matching reads; empty when it is not a JSON object.</summary>
    public JsonObject Read(string json)
    {
        var max = Encoding.UTF8.GetMaxByteCount(json.Length);
        byte[]? rented = null;
        var buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            return Read(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public JsonObject Read(ReadOnlySpan<byte> json)
    {
        var result = new JsonObject();
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return result;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(Products))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        result["products"] = ReadProducts(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }

                    continue;
                }

                ReadProperty(ref reader, result);
            }
        }
        catch (JsonException)
        {
            // Stored properties are JSON written by Rapport; a damaged value matches no filter.
            return [];
        }

        return result;
    }

    private JsonArray ReadProducts(ref Utf8JsonReader reader)
    {
        var products = new JsonArray();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            JsonObject? product = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                product ??= [];
                ReadProperty(ref reader, product);
            }

            // A product without any filtered property matches exactly as the event itself does.
            if (product is { Count: > 0 })
            {
                products.Add(product);
            }
        }

        return products;
    }

    /// <summary>At a property name: keeps the value when the name is wanted and the value is a string, number or boolean.</summary>
    private void ReadProperty(ref Utf8JsonReader reader, JsonObject into)
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

        JsonNode? value = reader.TokenType switch
        {
            JsonTokenType.String => JsonValue.Create(reader.GetString()),
            JsonTokenType.Number => reader.TryGetDouble(out var d) ? JsonValue.Create(d) : null,
            JsonTokenType.True => JsonValue.Create(true),
            JsonTokenType.False => JsonValue.Create(false),
            _ => null,
        };
        if (value is null)
        {
            reader.Skip();
            into.Remove(_names[wanted]);
            return;
        }

        into[_names[wanted]] = value;
    }
}
