using System.Text.Json.Nodes;
using Rapport.Core.Analytics;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Needs;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Analytics;

/// <summary>Needs across the base (the population page's report) against each customer's own needs, on both stores.</summary>
public sealed class NeedsOverviewTests
{
    [Theory, BothStores]
    public async Task Compute_TwoKindsOfCustomer_ClustersAndDistributionsMatchEachCustomer(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        await h.SendAsync(
            h.Identify("id-w0", new JsonObject { ["values_most"] = "quality", ["interests"] = "baking, tea" }, "web0"),
            h.Identify("id-w1", new JsonObject { ["values_most"] = "Quality", ["interests"] = new JsonArray("tea") }, "web1"),
            h.Identify("id-s0", new JsonObject { ["values_most"] = "perks" }, "store0"));
        await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2));

        var r = await new NeedsOverview(h.Db, h.Needs).ComputeAsync();

        Assert.Equal(12, r.Customers);
        Assert.Equal(
            [("Discount-driven web shoppers", 6L), ("Loyal store regulars", 6L)],
            r.Clusters.Clusters.Select(c => (c.Label, c.Size)).OrderBy(x => x.Label, StringComparer.Ordinal));
        Assert.All(r.Clusters.Clusters, c => Assert.Contains("price_sensitivity", c.Centroid.Keys));

        // Each customer's own needs, read one by one, are the oracle for the distributions.
        var each = new List<CustomerNeedsView>();
        for (var i = 0; i < 6; i++)
        {
            each.Add(await h.Needs.GetAsync(await h.OwnerAsync(Identifier.UserId, $"web{i}")));
            each.Add(await h.Needs.GetAsync(await h.OwnerAsync(Identifier.UserId, $"store{i}")));
        }

        Assert.Equal(
            each.GroupBy(n => n.Affinity.OrderByDescending(a => a.Affinity).First().Category).Select(g => (g.Key, (long)g.Count())).OrderBy(x => x.Key, StringComparer.Ordinal),
            r.Categories.Select(c => (c.Category, c.TopFor)).OrderBy(x => x.Category, StringComparer.Ordinal));
        Assert.Equal(6, r.Categories.Single(c => c.Category == "Kitchen").Customers);
        Assert.Equal(each.SelectMany(n => n.Affinity).Where(a => a.Category == "Bakery").Average(a => a.Affinity), r.Categories.Single(c => c.Category == "Bakery").MeanAffinity, 6);

        var scores = each.Select(n => n.PriceSensitivity?.Score).ToList();
        Assert.Equal(scores.Count(s => s is null), r.PriceSensitivityUnknown);
        for (var b = 0; b < NeedsOverview.SensitivityBins; b++)
        {
            var bin = r.PriceSensitivity[b];
            var expected = scores.Count(s => s is { } v && v >= bin.From && (v < bin.To || (b == NeedsOverview.SensitivityBins - 1 && v <= 1)));
            Assert.True(expected == bin.Customers, $"bin {bin.From:0.0}-{bin.To:0.0}: {bin.Customers} counted, {expected} expected");
        }

        Assert.True(r.PriceSensitivity.Sum(b => b.Customers) > 0, "the coupon shoppers have a price-sensitivity score");
        Assert.Equal(("web", 6L), (r.Channels.Single(c => c.Channel == "web").Channel, r.Channels.Single(c => c.Channel == "web").MainFor));
        Assert.Equal(6, r.Channels.Single(c => c.Channel == "store").MainFor);

        Assert.Equal([new StatedCount("quality", 2), new StatedCount("perks", 1)], r.ValuesMost);
        Assert.Equal(9, r.ValuesMostUnstated);
        Assert.Equal([new StatedCount("tea", 2), new StatedCount("baking", 1)], r.Interests);
    }

    [Theory, BothStores]
    public async Task Compute_NothingComputedYet_EmptyReport(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var r = await new NeedsOverview(h.Db, h.Needs).ComputeAsync();
        Assert.Equal((0L, 0, (long?)null), (r.Customers, r.Clusters.Clusters.Count, r.Clusters.ModelId));
        Assert.Empty(r.Categories);
        Assert.All(r.PriceSensitivity, b => Assert.Equal(0, b.Customers));
        Assert.Empty(r.Channels);
    }
}
