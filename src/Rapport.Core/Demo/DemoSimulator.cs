using System.Text.Json.Nodes;
using Rapport.Core.Events;

namespace Rapport.Core.Demo;

/// <summary>A real customer from the sample data: their store number and what they bought.</summary>
public sealed record DemoCustomer(string StoreCustomerNo, IReadOnlyList<string> BoughtSkus, DateTimeOffset LastOrderAt);

public sealed record DemoProduct(string Sku, string Name, decimal Price);

/// <summary>
/// Simulated web, chat and phone behaviour for the real customers of the sample data, so every
/// feature has something to show. Everything it makes is marked: messageIds start with "sim-"
/// and context.simulated is true. Deterministic for a seed, so a re-run stores nothing new.
/// Pure: no I/O, no clock.
/// </summary>
public static class DemoSimulator
{
    public static IEnumerable<IncomingEvent> Simulate(
        IReadOnlyList<DemoCustomer> customers, IReadOnlyList<DemoProduct> products, int seed = 42, double shareOfCustomers = 0.35)
    {
        var random = new Random(seed);
        var bySku = products.ToDictionary(p => p.Sku, StringComparer.Ordinal);
        var popular = products.Take(200).ToList();
        var n = 0;
        string Id() => $"sim-{seed}-{n++}";

        foreach (var c in customers)
        {
            if (random.NextDouble() > shareOfCustomers)
            {
                continue;
            }

            var anon = $"sim-visitor-{c.StoreCustomerNo}";
            var t = c.LastOrderAt.AddDays(random.Next(1, 20)).AddMinutes(random.Next(0, 600));
            var sessions = random.Next(1, 5);
            for (var s = 0; s < sessions; s++)
            {
                yield return Make(Id(), "page", "Home", Channels.Web, anon, t, []);
                for (var v = random.Next(1, 5); v > 0; v--)
                {
                    t = t.AddSeconds(random.Next(20, 300));
                    var product = Pick(random, c, bySku, popular);
                    yield return Make(Id(), "track", EcommerceEvents.ProductViewed, Channels.Web, anon, t, ProductProps(product, 1));
                }

                if (random.NextDouble() < 0.3)
                {
                    t = t.AddSeconds(random.Next(10, 60));
                    var word = Pick(random, c, bySku, popular).Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "gift";
                    yield return Make(Id(), "track", EcommerceEvents.ProductsSearched, Channels.Web, anon, t, new JsonObject { ["query"] = word.ToLowerInvariant() });
                }

                t = t.AddDays(random.Next(1, 6));
            }

            // The visitor logs in: the web history joins the store customer.
            var traits = new JsonObject
            {
                ["storeCustomerNumber"] = c.StoreCustomerNo,
                ["email"] = $"customer{c.StoreCustomerNo}@demo.rapport.invalid",
                ["consent_email_marketing"] = random.NextDouble() < 0.6,
                ["consent_personalisation"] = random.NextDouble() < 0.8,
                ["preferred_channel"] = random.NextDouble() < 0.7 ? "email" : "phone",
                ["values_most"] = new[] { "quality", "convenience", "discounts", "perks" }[random.Next(4)],
            };
            yield return Make(Id(), "identify", null, Channels.Web, anon, t, traits, traits);

            if (random.NextDouble() < 0.2)
            {
                // An abandoned cart: added, never bought.
                for (var a = random.Next(1, 4); a > 0; a--)
                {
                    t = t.AddMinutes(random.Next(1, 10));
                    yield return Make(Id(), "track", EcommerceEvents.ProductAdded, Channels.Web, anon, t, ProductProps(Pick(random, c, bySku, popular), random.Next(1, 4)));
                }

                yield return Make(Id(), "track", EcommerceEvents.CheckoutStarted, Channels.Web, anon, t.AddMinutes(2), []);
            }

            if (random.NextDouble() < 0.08)
            {
                var channel = random.NextDouble() < 0.5 ? Channels.Phone : Channels.Chat;
                yield return Make(Id(), "track", "Support Contacted", channel, anon, t.AddHours(random.Next(1, 48)),
                    new JsonObject { ["topic"] = random.NextDouble() < 0.5 ? "delivery" : "returns" });
            }
        }

        // Visitors who never identify: popularity is all we know of them.
        for (var v = 0; v < customers.Count / 10; v++)
        {
            var anon = $"sim-anonymous-{v}";
            var t = customers[random.Next(customers.Count)].LastOrderAt.AddDays(random.Next(0, 10));
            yield return Make(Id(), "page", "Home", Channels.Web, anon, t, []);
            yield return Make(Id(), "track", EcommerceEvents.ProductViewed, Channels.Web, anon, t.AddMinutes(1), ProductProps(popular[random.Next(popular.Count)], 1));
        }
    }

    private static DemoProduct Pick(Random random, DemoCustomer c, Dictionary<string, DemoProduct> bySku, List<DemoProduct> popular)
    {
        if (c.BoughtSkus.Count > 0 && random.NextDouble() < 0.6 && bySku.TryGetValue(c.BoughtSkus[random.Next(c.BoughtSkus.Count)], out var bought))
        {
            return bought;
        }

        return popular[random.Next(popular.Count)];
    }

    private static JsonObject ProductProps(DemoProduct p, int quantity) =>
        new() { ["product_id"] = p.Sku, ["name"] = p.Name, ["price"] = p.Price, ["quantity"] = quantity };

    private static IncomingEvent Make(string id, string type, string? name, string channel, string anon, DateTimeOffset at, JsonObject payload, JsonObject? traits = null) =>
        new(id, type, name, channel, null, anon, at, payload, traits, new JsonObject { ["simulated"] = true, ["library"] = new JsonObject { ["name"] = "rapport-demo" } });
}
