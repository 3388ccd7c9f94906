using System.Globalization;
using System.Text.Json.Nodes;

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
}
