using System.Text.Json.Nodes;
using Rapport.Engine.Segments;

namespace Rapport.Benchmarks.Segments;

/// <summary>
/// Twenty segments of the kinds marketers write (behaviour in windows with property filters,
/// value, predictions, traits, and/or/not) and a deterministic synthetic event stream:
/// 60% Product Viewed, 15% Product Added, 10% Order Completed (1-3 products), 15% page views,
/// over 8 categories and 3 channels; properties are parsed from JSON text, as ingestion sees them.
/// </summary>
public static class SegmentDatasets
{
    public const long DayMs = 86_400_000;

    public static readonly string[] Definitions =
    [
        "count(track \"Order Completed\", last 90 days) >= 2",
        "viewed(category = \"Lamps\", last 7 days) and not bought(category = \"Lamps\", last 7 days)",
        "prediction.p_alive < 0.3 and prediction.clv_percentile >= 0.8",
        "value.revenue >= 1000",
        "value.tier = \"gold\"",
        "value.rfm_r >= 4 and value.rfm_f >= 4",
        "traits.plan = \"pro\"",
        "traits.country in (\"DE\", \"AT\", \"CH\")",
        "not bought(last 365 days) and value.orders >= 1",
        "count(page, last 30 days) >= 5",
        "added(last 3 days) and not bought(last 3 days)",
        "count(track \"Product Viewed\", category = \"Chairs\", last 30 days) >= 3",
        "bought(category = \"Chairs\", last 180 days)",
        "count(track \"Order Completed\", total >= 200, last 365 days) >= 1",
        "prediction.expected_purchases >= 2 or value.aov >= 150",
        "traits.newsletter = true and not viewed(last 14 days)",
        "value.revenue_percentile >= 0.8",
        "bought(channel = \"store\", last 90 days) and bought(channel = \"web\", last 90 days)",
        "viewed(category = \"Sofas\", last 7 days) or added(category = \"Sofas\", last 7 days)",
        "value.margin < 0 or value.returns >= 3",
    ];

    private static readonly string[] Categories = ["Lamps", "Chairs", "Sofas", "Tables", "Rugs", "Beds", "Shelves", "Mirrors"];
    private static readonly string[] Channels = ["web", "web", "app", "store"];
    private static readonly string[] Tiers = ["bronze", "silver", "gold"];
    private static readonly string[] Countries = ["DE", "FR", "GB", "AT", "CH", "NL"];

    public static SegmentSet Set() =>
        SegmentSet.Compile(Definitions.Select(d => SegmentDefinition.Parse(d).Definition ?? throw new InvalidOperationException(d)).ToList());

    /// <summary>
    /// Events for customers 1..customers, spread over [firstDay, lastDay]. Properties come from a
    /// pool of 4,096 parsed objects per event name, so 10M events fit in memory.
    /// </summary>
    public static (long Customer, BehaviourEvent Event)[] Events(int count, int customers, int firstDay, int lastDay, int seed)
    {
        var random = new Random(seed);
        var viewed = Pool(random, () =>
        {
            var category = Categories[random.Next(Categories.Length)];
            return $$"""{"product_id":"{{category}}-{{random.Next(50)}}","category":"{{category}}","price":{{random.Next(10, 500)}}}""";
        });
        var added = Pool(random, () =>
        {
            var category = Categories[random.Next(Categories.Length)];
            return $$"""{"product_id":"{{category}}-{{random.Next(50)}}","category":"{{category}}","quantity":1}""";
        });
        var orders = Pool(random, () => Order(random));
        var events = new (long, BehaviourEvent)[count];
        for (var i = 0; i < count; i++)
        {
            var customer = 1 + random.Next(customers);
            var at = ((long)random.Next(firstDay, lastDay + 1) * DayMs) + random.Next((int)DayMs);
            var channel = Channels[random.Next(Channels.Length)];
            var pick = random.Next(PoolSize);
            events[i] = (customer, random.Next(100) switch
            {
                < 60 => new BehaviourEvent("track", "Product Viewed", channel, at, viewed[pick]),
                < 75 => new BehaviourEvent("track", "Product Added", channel, at, added[pick]),
                < 85 => new BehaviourEvent("track", "Order Completed", channel, at, orders[pick]),
                _ => new BehaviourEvent("page", "Product Page", channel, at, null),
            });
        }

        return events;
    }

    private const int PoolSize = 4096;

    private static JsonObject[] Pool(Random random, Func<string> json) =>
        Enumerable.Range(0, PoolSize).Select(_ => (JsonObject)JsonNode.Parse(json())!).ToArray();

    /// <summary>Value, prediction and trait fields for one customer, as the fact sources would load them.</summary>
    public static void Facts(SegmentSet set, CustomerSnapshot s, Random random)
    {
        Set(set, s, "value.revenue", FieldValue.Of(random.NextDouble() * 3000));
        Set(set, s, "value.margin", FieldValue.Of((random.NextDouble() * 1000) - 100));
        Set(set, s, "value.orders", FieldValue.Of(random.Next(0, 12)));
        Set(set, s, "value.returns", FieldValue.Of(random.Next(0, 4)));
        Set(set, s, "value.aov", FieldValue.Of(random.NextDouble() * 300));
        Set(set, s, "value.rfm_r", FieldValue.Of(random.Next(1, 6)));
        Set(set, s, "value.rfm_f", FieldValue.Of(random.Next(1, 6)));
        Set(set, s, "value.tier", FieldValue.Of(Tiers[random.Next(Tiers.Length)]));
        Set(set, s, "value.revenue_percentile", FieldValue.Of(random.NextDouble()));
        Set(set, s, "prediction.p_alive", FieldValue.Of(random.NextDouble()));
        Set(set, s, "prediction.clv_percentile", FieldValue.Of(random.NextDouble()));
        Set(set, s, "prediction.expected_purchases", FieldValue.Of(random.NextDouble() * 4));
        Set(set, s, "traits.plan", FieldValue.Of(random.Next(4) == 0 ? "pro" : "free"));
        Set(set, s, "traits.country", FieldValue.Of(Countries[random.Next(Countries.Length)]));
        Set(set, s, "traits.newsletter", FieldValue.Of(random.Next(2) == 0 ? "true" : "false"));
    }

    private static void Set(SegmentSet set, CustomerSnapshot s, string field, FieldValue value) => s.SetField(set.FieldSlotOf(field), value);

    private static string Order(Random random)
    {
        var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
        {
            var category = Categories[random.Next(Categories.Length)];
            return $$"""{"product_id":"{{category}}-{{random.Next(50)}}","category":"{{category}}","price":{{random.Next(10, 500)}},"quantity":1}""";
        });
        return $$"""{"order_id":"{{random.Next():x}}","total":{{random.Next(10, 900)}},"products":[{{string.Join(",", lines)}}]}""";
    }
}
