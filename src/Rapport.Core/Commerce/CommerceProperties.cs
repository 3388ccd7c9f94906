using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Events;

namespace Rapport.Core.Commerce;

/// <summary>A product as the Segment e-commerce spec describes it in event properties.</summary>
public sealed record ProductRef(string Sku, string? Name, string? Category, decimal? Price, int Quantity);

/// <summary>Reads the e-commerce spec's properties (product_id/sku, products[], order_id, total, discount…).</summary>
public static class CommerceProperties
{
    public static ProductRef? Product(JsonObject? p)
    {
        if (p is null)
        {
            return null;
        }

        var sku = Text(p, "sku") ?? Text(p, "product_id") ?? Text(p, "productId");
        if (sku is null)
        {
            return null;
        }

        var quantity = Number(p, "quantity") is { } q ? (int)q : 1;
        return new ProductRef(sku, Text(p, "name"), Text(p, "category"), Number(p, "price"), quantity);
    }

    public static IReadOnlyList<ProductRef> Products(JsonObject p) =>
        p["products"] is JsonArray items
            ? items.OfType<JsonObject>().Select(Product).Where(x => x is not null).Select(x => x!).ToList()
            : [];

    public static string? Text(JsonObject p, string key) => p[key] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) => s,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    public static decimal? Number(JsonObject p, string key) => p[key] switch
    {
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        // A value built in code (JsonValue.Create(2)) only converts to its own type: read its JSON text.
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    // The same readings over an event: from the request's JSON in place when the collector kept
    // it (no JsonObject is built on the writer thread), else from the JsonObject.
    public static IReadOnlyList<ProductRef> Products(IncomingEvent e) => e.PayloadElement is { } el ? Products(el) : Products(e.Payload);

    public static ProductRef? Product(IncomingEvent e) => e.PayloadElement is { } el ? Product(el) : Product(e.Payload);

    public static string? Text(IncomingEvent e, string key) => e.PayloadElement is { } el ? Text(el, key) : Text(e.Payload, key);

    public static decimal? Number(IncomingEvent e, string key) => e.PayloadElement is { } el ? Number(el, key) : Number(e.Payload, key);

    public static ProductRef? Product(JsonElement p)
    {
        if (p.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var sku = Text(p, "sku") ?? Text(p, "product_id") ?? Text(p, "productId");
        if (sku is null)
        {
            return null;
        }

        var quantity = Number(p, "quantity") is { } q ? (int)q : 1;
        return new ProductRef(sku, Text(p, "name"), Text(p, "category"), Number(p, "price"), quantity);
    }

    public static IReadOnlyList<ProductRef> Products(JsonElement p)
    {
        if (p.ValueKind != JsonValueKind.Object || !p.TryGetProperty("products", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var products = new List<ProductRef>(items.GetArrayLength());
        foreach (var item in items.EnumerateArray())
        {
            if (Product(item) is { } product)
            {
                products.Add(product);
            }
        }

        return products;
    }

    public static string? Text(JsonElement p, string key) =>
        p.ValueKind == JsonValueKind.Object && p.TryGetProperty(key, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString() is { } s && !string.IsNullOrWhiteSpace(s) ? s : null,
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    public static decimal? Number(JsonElement p, string key)
    {
        if (p.ValueKind != JsonValueKind.Object || !p.TryGetProperty(key, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetDecimal(out var d) => d,
            JsonValueKind.Number when decimal.TryParse(v.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            JsonValueKind.String when decimal.TryParse(v.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }
}
