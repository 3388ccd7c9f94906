using System.Text.Json.Nodes;
using Rapport.Cli;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Hosting;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Cli;

/// <summary>`rapport needs recompute` through the real command tree.</summary>
public sealed class NeedsCommandTests
{
    [Theory, BothStores]
    public async Task NeedsRecompute_TwoKindsOfCustomer_PrintsProgressAndLabelledClusters(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await SeedTwoKindsAsync(db);

        var (exit, output, error) = await RunAsync("needs", "recompute", "--store", db.Store, "--clusters", "2");

        Assert.Equal(0, exit);
        Assert.Contains("needs: needs 12/12", error, StringComparison.Ordinal);
        Assert.StartsWith("12 customers, 12 with needs, 0 changed; ", output, StringComparison.Ordinal); // the refresher behind ingestion computed them all
        Assert.Matches(@"\s6  Discount-driven web shoppers", output);
        Assert.Matches(@"\s6  Loyal store regulars", output);
    }

    [Theory, BothStores]
    public async Task Recompute_Full_ValueNeedsThenSegments_SegmentOnTheClustersFilled(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await SeedTwoKindsAsync(db);
        var (created, _, createError) = await RunAsync("segments", "create", "--store", db.Store, "--name", "Regulars", "--text", "needs.cluster = \"Loyal store regulars\"");
        Assert.True(created == 0, createError);

        var (exit, output, error) = await RunAsync("recompute", "--store", db.Store);

        Assert.True(exit == 0, error);
        Assert.Contains("value and needs", error, StringComparison.Ordinal);
        Assert.Contains("segments", error, StringComparison.Ordinal);
        Assert.StartsWith("Full recomputation: ", output, StringComparison.Ordinal);
        Assert.Contains("Value: 12 customers, 12 buyers", output, StringComparison.Ordinal);
        Assert.Contains("Needs: 12 customers, 12 with needs", output, StringComparison.Ordinal);
        Assert.Matches(@"Segments: 12 customers evaluated, \d+ entered", output);
        var (_, list, _) = await RunAsync("segments", "list", "--store", db.Store);
        Assert.Matches(@"\tRegulars\tactive\t\d+\t", list);
        Assert.DoesNotMatch(@"\tRegulars\tactive\t0\t", list); // the clusters were fitted, then the segment recomputed on them
    }

    [Fact]
    public async Task NeedsRecompute_BadClusters_Exit2NamingTheOption()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);

        var (exit, _, error) = await RunAsync("needs", "recompute", "--store", db.Store, "--clusters", "50");

        Assert.Equal(2, exit);
        Assert.Contains("--clusters: the number of clusters must be between 2 and 20", error, StringComparison.Ordinal);
    }

    /// <summary>Six coupon buyers on the web and six store regulars at full price, through the server's own write path.</summary>
    private static async Task SeedTwoKindsAsync(TestDatabase db)
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var events = new List<IncomingEvent>();
        for (var i = 0; i < 6; i++)
        {
            events.Add(Order($"w{i}", $"web{i}", Channels.Web, at, "MUG", coupon: "SAVE"));
            for (var n = 0; n < 10 + i; n++)
            {
                events.Add(Order($"s{i}-{n}", $"store{i}", Channels.Store, at.AddDays(-7 * n), "BREAD"));
            }
        }

        await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
        await services.GetRequiredService<IEventSink>().IngestAsync(events);
        await services.GetRequiredService<EventPipeline>().DisposeAsync();
        await services.GetRequiredService<Rapport.Core.Needs.NeedsRefresher>().DrainAsync(); // what the server's background refresher does
    }

    private static IncomingEvent Order(string orderId, string user, string channel, DateTimeOffset at, string sku, string? coupon = null)
    {
        var p = new JsonObject
        {
            ["order_id"] = orderId,
            ["products"] = new JsonArray(new JsonObject { ["product_id"] = sku, ["category"] = sku == "MUG" ? "Kitchen" : "Bakery", ["price"] = 5, ["quantity"] = 1 }),
        };
        if (coupon is not null)
        {
            p["coupon"] = coupon;
        }

        return new IncomingEvent("order-" + orderId, "track", EcommerceEvents.OrderCompleted, channel, user, null, at, p, null, null);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await RapportCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
