using System.Buffers;
using System.Text.Json;

namespace Rapport.LoadTests.Ingest;

/// <summary>One POST /v1/batch body, serialised up front so generating it is not measured.</summary>
internal sealed record EventBatch(byte[] Body, int Count);

/// <summary>
/// Shop traffic as track calls: customers browse anonymously first, then signed in (userId and
/// anonymousId together), view, search, add to and remove from carts, check out and order.
/// Deterministic for a seed, so runs compare.
/// </summary>
internal static class TrackEventGenerator
{
    private static readonly (string Name, int Weight)[] Mix =
    [
        ("Product Viewed", 55), ("Product List Viewed", 10), ("Products Searched", 5), ("Product Added", 15),
        ("Product Removed", 3), ("Checkout Started", 4), ("Order Completed", 3), ("Video Played", 5),
    ];

    private static readonly string[] Categories = ["Kitchen", "Garden", "Books", "Toys", "Outdoor", "Bath", "Office", "Pets"];
    private static readonly string[] Searches = ["teapot", "garden hose", "lego", "tent", "towel", "desk lamp", "cat tree", "mug"];

    private const int Products = 2_000;
    private const int AnonymousEventsPerCustomer = 2;

    public static List<EventBatch> Generate(int events, int customers, int batchSize, int seed = 20260301)
    {
        var random = new Random(seed);
        var seen = new byte[customers];
        var start = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var weights = Mix.Sum(m => m.Weight);
        var batches = new List<EventBatch>((events / batchSize) + 1);
        var buffer = new ArrayBufferWriter<byte>(512 * 1024);
        for (var first = 0; first < events; first += batchSize)
        {
            buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartArray("batch");
                var count = Math.Min(batchSize, events - first);
                for (var n = first; n < first + count; n++)
                {
                    var customer = random.Next(customers);
                    var known = seen[customer] >= AnonymousEventsPerCustomer;
                    if (!known)
                    {
                        seen[customer]++;
                    }

                    var at = start.AddMilliseconds(n * 40L);
                    WriteEvent(w, random, MessageId(random, at), n, customer, known, at, PickName(random, weights));
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.Flush();
                batches.Add(new EventBatch(buffer.WrittenSpan.ToArray(), count));
            }
        }

        return batches;
    }

    private static string PickName(Random random, int weights)
    {
        var r = random.Next(weights);
        foreach (var (name, weight) in Mix)
        {
            if ((r -= weight) < 0)
            {
                return name;
            }
        }

        return Mix[0].Name;
    }

    /// <summary>
    /// Every generated message id starts with this. The server also stores events it derives
    /// itself (loyalty's Tier Changed), so counts and the raw copy select the sent ones by it.
    /// </summary>
    public const string MessageIdPrefix = "node-next-";

    /// <summary>The shape @segment/analytics-node uses: "node-next-{unix ms}-{uuid v4}".</summary>
    private static string MessageId(Random random, DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return $"{MessageIdPrefix}{at.ToUnixTimeMilliseconds()}-{new Guid(bytes)}";
    }

    private static void WriteEvent(Utf8JsonWriter w, Random random, string messageId, int n, int customer, bool known, DateTimeOffset at, string name)
    {
        w.WriteStartObject();
        w.WriteString("type", "track");
        w.WriteString("event", name);
        w.WriteString("messageId", messageId);
        w.WriteString("anonymousId", $"anon-{customer:D7}");
        if (known)
        {
            w.WriteString("userId", $"user-{customer:D7}");
        }

        w.WriteString("timestamp", at);
        w.WriteStartObject("properties");
        switch (name)
        {
            case "Products Searched":
                w.WriteString("query", Searches[random.Next(Searches.Length)]);
                break;
            case "Product List Viewed":
                w.WriteString("list_id", "category-" + Categories[random.Next(Categories.Length)].ToLowerInvariant());
                w.WriteString("category", Categories[random.Next(Categories.Length)]);
                break;
            case "Video Played":
                w.WriteString("video_id", $"video-{random.Next(100)}");
                w.WriteNumber("position", random.Next(600));
                break;
            case "Checkout Started":
                w.WriteString("currency", "EUR");
                w.WriteNumber("value", Price(random.Next(Products)) * (1 + random.Next(3)));
                break;
            case "Order Completed":
                WriteOrder(w, random, n);
                break;
            default:
                WriteProduct(w, random.Next(Products), name == "Product Added" ? 1 + random.Next(3) : null);
                break;
        }

        w.WriteEndObject();
        w.WriteStartObject("context");
        w.WriteStartObject("library");
        w.WriteString("name", "analytics-node-next");
        w.WriteString("version", "3.1.0");
        w.WriteEndObject();
        w.WriteString("ip", $"10.{customer % 250}.{customer / 250 % 250}.{1 + (customer % 200)}");
        w.WriteString("userAgent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteOrder(Utf8JsonWriter w, Random random, int n)
    {
        var lines = 1 + random.Next(3);
        var skus = Enumerable.Range(0, lines).Select(_ => random.Next(Products)).ToList();
        var quantities = skus.Select(_ => 1 + random.Next(2)).ToList();
        var total = skus.Select((s, i) => Price(s) * quantities[i]).Sum();
        w.WriteString("order_id", $"order-{n:D9}");
        w.WriteNumber("total", total);
        w.WriteNumber("revenue", total);
        w.WriteString("currency", "EUR");
        w.WriteStartArray("products");
        for (var i = 0; i < lines; i++)
        {
            w.WriteStartObject();
            WriteProduct(w, skus[i], quantities[i]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteProduct(Utf8JsonWriter w, int product, int? quantity)
    {
        w.WriteString("product_id", $"sku-{product:D5}");
        w.WriteString("sku", $"sku-{product:D5}");
        w.WriteString("name", $"Product {product}");
        w.WriteString("category", Categories[product % Categories.Length]);
        w.WriteNumber("price", Price(product));
        if (quantity is { } q)
        {
            w.WriteNumber("quantity", q);
        }
    }

    private static decimal Price(int product) => 2.5m + (product % 97 * 0.75m);
}
