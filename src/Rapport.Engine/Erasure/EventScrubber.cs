using System.Text.Json.Nodes;

namespace Rapport.Engine.Erasure;

/// <summary>
/// What is left of an event's properties once its customer is erased: only the commerce facts
/// aggregate analytics read (order ids, amounts, currency, skus, quantities, prices, categories,
/// product names). Everything else (names, addresses, page urls, free text, traits) goes.
/// Identify, page, screen, alias and group events carry nothing but personal data or browsing
/// detail, so they keep no properties at all. The context (ip, user agent, locale, page) is
/// always dropped: the caller stores null.
/// </summary>
public static class EventScrubber
{
    /// <summary>Order and cart-level facts (Segment's e-commerce spec).</summary>
    public static readonly IReadOnlySet<string> OrderKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "order_id", "checkout_id", "cart_id", "total", "revenue", "subtotal", "discount", "shipping", "tax", "value", "currency", "coupon",
    };

    /// <summary>A product's facts; "name" is kept only inside an object that names a product (it is then the product's name).</summary>
    public static readonly IReadOnlySet<string> ProductKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "sku", "product_id", "productId", "quantity", "price", "category",
    };

    /// <returns>The scrubbed properties as JSON text ("{}" when nothing is kept or the input is not an object).</returns>
    public static string Scrub(string type, string? propertiesJson)
    {
        if (type != "track" || string.IsNullOrWhiteSpace(propertiesJson))
        {
            return "{}";
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(propertiesJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return "{}";
        }

        return parsed is JsonObject p ? Keep(p, topLevel: true).ToJsonString() : "{}";
    }

    private static JsonObject Keep(JsonObject p, bool topLevel)
    {
        var kept = new JsonObject();
        var namesProduct = p.ContainsKey("sku") || p.ContainsKey("product_id") || p.ContainsKey("productId");
        foreach (var (key, value) in p)
        {
            if (topLevel && key == "products" && value is JsonArray items)
            {
                kept[key] = new JsonArray(items.OfType<JsonObject>().Select(i => (JsonNode)Keep(i, topLevel: false)).ToArray());
            }
            else if (IsScalar(value) && ((topLevel && OrderKeys.Contains(key)) || ProductKeys.Contains(key) || (key == "name" && namesProduct)))
            {
                kept[key] = value!.DeepClone();
            }
        }

        return kept;
    }

    private static bool IsScalar(JsonNode? node) => node is JsonValue;
}
