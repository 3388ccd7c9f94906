using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Tests.Events;

namespace Rapport.Core.Tests.Needs;

/// <summary>Events for the needs tests, relative to the harness's fake clock, on any channel.</summary>
internal static class NeedsSteps
{
    public static IncomingEvent Event(this CoreHarness h, string id, double daysFromNow, string name, JsonObject? properties = null, string user = "ann", string channel = Channels.Web) =>
        new(id, "track", name, channel, user, null, h.Clock.GetUtcNow().AddDays(daysFromNow), properties ?? [], null, null);

    public static IncomingEvent View(this CoreHarness h, string id, double daysFromNow, string sku, string? category, string user = "ann", string channel = Channels.Web)
    {
        var p = new JsonObject { ["product_id"] = sku, ["price"] = 10 };
        if (category is not null)
        {
            p["category"] = category;
        }

        return h.Event(id, daysFromNow, EcommerceEvents.ProductViewed, p, user, channel);
    }

    /// <summary>An order of (sku, category, unit price, quantity) lines; coupon and discount optional.</summary>
    public static IncomingEvent Order(
        this CoreHarness h, string orderId, double daysFromNow, string user, string channel, (string Sku, string? Category, decimal Price, int Qty)[] lines,
        string? coupon = null, decimal discount = 0)
    {
        var p = new JsonObject
        {
            ["order_id"] = orderId,
            ["discount"] = discount,
            ["products"] = new JsonArray(lines.Select(l =>
            {
                var o = new JsonObject { ["product_id"] = l.Sku, ["price"] = l.Price, ["quantity"] = l.Qty };
                if (l.Category is not null)
                {
                    o["category"] = l.Category;
                }

                return (JsonNode)o;
            }).ToArray()),
        };
        if (coupon is not null)
        {
            p["coupon"] = coupon;
        }

        return h.Event("order-" + orderId, daysFromNow, EcommerceEvents.OrderCompleted, p, user, channel);
    }

    public static IncomingEvent Identify(this CoreHarness h, string id, JsonObject traits, string user, string? anon = null) =>
        new(id, "identify", null, Channels.Web, user, anon, h.Clock.GetUtcNow(), traits, traits, null);
}
