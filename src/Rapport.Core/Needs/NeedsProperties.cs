using System.Buffers;
using System.Text;
using System.Text.Json;
using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

/// <summary>
/// Reads a few top-level text properties of a stored event without building a JSON document:
/// the bulk recomputation reads millions of product views and completed orders and needs only
/// their category and product (views) or coupon and order id (orders). A value counts as
/// <see cref="Commerce.CommerceProperties.Text(JsonElement, string)"/> reads it: a non-blank
/// string, or a number's JSON text; anything else is absent. A repeated key: the last one wins,
/// as with JsonElement.TryGetProperty.
/// </summary>
internal static class NeedsProperties
{
    private static readonly byte[][] ViewKeys = [.. new[] { "category", "sku", "product_id", "productId" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] OrderKeys = [.. new[] { "coupon", "order_id" }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>A Product Viewed's category and product (sku, else product_id, else productId).</summary>
    public static (string? Category, string? Sku) View(string json)
    {
        Span<string?> v = [null, null, null, null];
        Read(json, ViewKeys, v);
        return (v[0], v[1] ?? v[2] ?? v[3]);
    }

    /// <summary>The same from the stored UTF-8 bytes, each text looked up in <paramref name="text"/> (no string per view).</summary>
    public static (string? Category, string? Sku) View(ReadOnlySpan<byte> json, TextInterner text)
    {
        Span<string?> v = [null, null, null, null];
        Read(json, ViewKeys, v, text);
        return (v[0], v[1] ?? v[2] ?? v[3]);
    }

    /// <summary>An Order Completed's coupon and order id.</summary>
    public static (string? Coupon, string? OrderId) Order(string json)
    {
        Span<string?> v = [null, null];
        Read(json, OrderKeys, v);
        return (v[0], v[1]);
    }

    public static (string? Coupon, string? OrderId) Order(ReadOnlySpan<byte> json)
    {
        Span<string?> v = [null, null];
        Read(json, OrderKeys, v, null);
        return (v[0], v[1]);
    }

    /// <summary>
    /// An Order Completed's order id when it had a coupon, else null. Most orders have none, so
    /// the bytes are searched for the key first and only parsed (and the order id made a string)
    /// when it is there. A client's own JSON is stored as sent, so a key may be written with
    /// escapes ("\u0063oupon"): any backslash means a full parse too.
    /// </summary>
    public static string? CouponOrder(ReadOnlySpan<byte> json) =>
        (json.IndexOf("coupon"u8) >= 0 || json.IndexOf((byte)'\\') >= 0) && Order(json) is ({ }, { } orderId) ? orderId : null;

    private static void Read(string json, byte[][] keys, Span<string?> values)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            Read(rented.AsSpan(0, Encoding.UTF8.GetBytes(json, rented)), keys, values, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Read(ReadOnlySpan<byte> json, byte[][] keys, Span<string?> values, TextInterner? text)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return; // not an object: no properties
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = -1;
            for (var i = 0; i < keys.Length && key < 0; i++)
            {
                if (reader.ValueTextEquals(keys[i]))
                {
                    key = i;
                }
            }

            reader.Read();
            if (key < 0)
            {
                reader.Skip();
                continue;
            }

            values[key] = reader.TokenType switch
            {
                JsonTokenType.String => (text is not null && !reader.ValueIsEscaped ? text.Get(reader.ValueSpan) : reader.GetString()) is { } s
                    && !string.IsNullOrWhiteSpace(s) ? s : null,
                JsonTokenType.Number => text is not null ? text.Get(reader.ValueSpan) : Encoding.UTF8.GetString(reader.ValueSpan),
                _ => null,
            };
            reader.Skip(); // an object or array value: past its end (no-op for a scalar)
        }
    }
}
