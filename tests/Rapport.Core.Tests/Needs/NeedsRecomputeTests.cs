using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Segments;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Needs;

/// <summary>The bulk recomputation, the cluster fit and segments over needs fields, on both stores.</summary>
public sealed class NeedsRecomputeTests
{
    /// <summary>Six coupon shoppers on the web and six regulars buying at full price in the store.</summary>
    internal static async Task SeedTwoKindsAsync(CoreHarness h)
    {
        var events = new List<IncomingEvent>();
        for (var i = 0; i < 6; i++)
        {
            events.Add(h.Order($"w{i}", -5, $"web{i}", Channels.Web, [("MUG", "Kitchen", 5m, 1 + i)], coupon: "SAVE"));
            events.Add(h.View($"wv{i}", -5, "MUG", "Kitchen", user: $"web{i}"));
            for (var n = 0; n < 10 + i; n++)
            {
                events.Add(h.Order($"s{i}-{n}", -100 + (n * 7), $"store{i}", Channels.Store, [("BREAD", "Bakery", 3m, 1)]));
            }
        }

        await h.SendAsync([.. events]);
    }

    [Theory, BothStores]
    public async Task Recompute_TwoKindsOfCustomer_TwoLabelledClusters(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await SeedTwoKindsAsync(h);
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("DELETE FROM customer_needs"); // as if needs had never been computed
        }

        var progress = new List<NeedsProgress>();
        var summary = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2), progress.Add))!;

        Assert.Equal(12, summary.Customers);
        Assert.Equal(12, summary.WithNeeds);
        Assert.Equal(12, summary.Changed);
        Assert.Equal(("done", 12L, 12L), (progress[^1].Phase, progress[^1].Done, progress[^1].Total));
        Assert.Contains(progress, p => p.Phase == "clusters");
        Assert.Equal("done", h.NeedsRecompute.Progress.Phase);
        var fit = summary.Clusters!;
        Assert.Equal("fitted", fit.Status);
        Assert.Equal([6L, 6L], fit.Clusters.Select(x => x.Size));
        Assert.Contains(fit.Clusters, x => x.Label == "Discount-driven web shoppers");
        Assert.Contains(fit.Clusters, x => x.Label == "Loyal store regulars");

        var web0 = await h.OwnerAsync(Identifier.UserId, "web0");
        var store0 = await h.OwnerAsync(Identifier.UserId, "store0");
        Assert.Equal("Discount-driven web shoppers", (await h.Needs.GetAsync(web0)).Cluster!.Label);
        Assert.Equal("Loyal store regulars", (await h.Needs.GetAsync(store0)).Cluster!.Label);
        var clusters = await h.Needs.ClustersAsync();
        Assert.Equal(fit.ModelId, clusters.ModelId);
        Assert.Equal(12, clusters.Clusters.Sum(x => x.Size));
        Assert.Equal(0, clusters.Unassigned);

        // A new customer between fits joins the nearest cluster at once.
        await h.SendAsync(h.Order("new", 0, "newbie", Channels.Web, [("MUG", "Kitchen", 5m, 1)], coupon: "SAVE"));
        var newbie = await h.OwnerAsync(Identifier.UserId, "newbie");
        Assert.Equal("Discount-driven web shoppers", (await h.Needs.GetAsync(newbie)).Cluster!.Label);
        Assert.Equal(7, (await h.Needs.ClustersAsync()).Clusters.Single(x => x.Label == "Discount-driven web shoppers").Size);
    }

    [Theory, BothStores]
    public async Task Refit_SameSeed_SameClusters_ChosenKWhenNotGiven(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await SeedTwoKindsAsync(h);

        var first = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest()))!.Clusters!;
        var second = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest()))!.Clusters!;

        Assert.True(first.KChosen);
        Assert.Equal(2, first.K);
        Assert.Equal(first.Clusters.Select(c => (c.Label, c.Size)), second.Clusters.Select(c => (c.Label, c.Size)));
        Assert.Equal(first.ModelId + 1, second.ModelId);
        Assert.Equal(0, (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest()))!.Changed); // nothing happened since
    }

    [Theory, BothStores]
    public async Task Refit_EmptyStore_FailsWithAReason(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);

        var summary = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest()))!;

        Assert.Equal(0, summary.Customers);
        Assert.Equal("failed", summary.Clusters!.Status);
        Assert.Contains("at least 2 customers with different needs", summary.Clusters.Message, StringComparison.Ordinal);
        Assert.Null((await h.Needs.ClustersAsync()).ModelId);
    }

    [Theory, BothStores]
    public async Task Segment_OnNeeds_StaysCurrentAsEventsArrive(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var lampLovers = await h.CreateAsync("Lamp lovers", "needs.affinity.Lamps >= 0.5 and needs.channel.web >= 0.5");
        var bargains = await h.CreateAsync("Bargain hunters", "needs.price_sensitivity >= 0.5");

        await h.SendAsync(h.View("v1", -1, "C1", "Chairs"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Empty(await h.MembersAsync(lampLovers));

        await h.SendAsync(h.View("v2", 0, "L1", "Lamps"), h.View("v3", 0, "L2", "Lamps"));
        Assert.Equal([ann], await h.MembersAsync(lampLovers));

        // Four product looks in the store make the web 3 of her 7 interactions: she leaves.
        await h.SendAsync(h.View("s1", 0, "L1", "Lamps", channel: Channels.Store), h.View("s2", 0, "L2", "Lamps", channel: Channels.Store));
        Assert.Equal([ann], await h.MembersAsync(lampLovers)); // 3 of 5 on the web
        await h.SendAsync(h.View("s3", 0, "L1", "Lamps", channel: Channels.Store), h.View("s4", 0, "L2", "Lamps", channel: Channels.Store));
        Assert.Empty(await h.MembersAsync(lampLovers));
        Assert.Equal(
            [("Segment Entered", "Lamp lovers", "event"), ("Segment Left", "Lamp lovers", "event")],
            await h.MembershipEventsAsync(ann));

        Assert.Empty(await h.MembersAsync(bargains));
        await h.SendAsync(h.Order("b1", 0, "ann", Channels.Web, [("L1", "Lamps", 10m, 1)], coupon: "HALF"));
        Assert.Equal([ann], await h.MembersAsync(bargains));
    }

    [Theory, BothStores]
    public async Task OwnEvents_OnTheEmailChannel_DoNotMakeEmailThePreferredChannel(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var webOnly = await h.CreateAsync("Web only", "needs.channel.web >= 0.99");

        await h.SendAsync(h.View("v1", 0, "L1", "Lamps"), h.View("v2", 0, "L2", "Lamps"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal([ann], await h.MembersAsync(webOnly));

        // What Rapport did to her on email (its own events, both write paths) is not something she did:
        // after her next web view recomputes her needs from the whole history, she stays a web customer.
        await h.Writer.WriteAsync(unit => OwnEvents.AppendAsync(unit,
        [
            new OwnFact("e1", ann, "Email Sent", [], "rapport-outbox", Channels.Email),
            new OwnFact("e2", ann, "Email Sent", [], "rapport-outbox", Channels.Email),
            new OwnFact("e3", ann, "Journey Step", [], "rapport-journeys", Channels.Email),
        ]));
        await h.Writer.WriteAsync(unit => OwnEvents.WriteThroughIngestAsync(unit, h.Events, [h.Event("e4", 0, "Conversation Message Sent", channel: Channels.Email)]));
        await h.SendAsync(h.View("v3", 0, "L3", "Lamps"));
        Assert.Equal([ann], await h.MembersAsync(webOnly));

        // Her own reply on email is an interaction there.
        await h.SendAsync(h.Event("r1", 0, "Email Replied", channel: Channels.Email));
        Assert.Empty(await h.MembersAsync(webOnly));
    }

    [Theory, BothStores]
    public async Task Segment_OnCluster_FollowsTheRefit(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await SeedTwoKindsAsync(h);
        var segment = await h.CreateAsync("Regulars", "needs.cluster = \"Loyal store regulars\"");
        Assert.Empty(await h.MembersAsync(segment));

        await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2));

        Assert.Equal(6, (await h.MembersAsync(segment)).Count);
    }

    [Theory, BothStores]
    public async Task Refit_NothingMoved_RewritesNoRow_ReadersFollowTheNewModel(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await SeedTwoKindsAsync(h);
        var segment = await h.CreateAsync("Regulars", "needs.cluster = \"Loyal store regulars\"");
        var first = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2, Seed: 1)))!.Clusters!;
        Assert.Equal(12, first.Rewritten); // nobody had a cluster yet

        // Another seed may number the clusters the other way round; the refit keeps the old numbers.
        var second = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2, Seed: 7)))!.Clusters!;

        Assert.Equal("fitted", second.Status);
        Assert.Equal(0, second.Rewritten);
        await using (var c = await h.Db.OpenAsync())
        {
            Assert.Equal(12, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customer_needs WHERE cluster_model_id = @id", new { id = first.ModelId }));
        }

        var store0 = await h.OwnerAsync(Identifier.UserId, "store0");
        var profile = (await h.Needs.GetAsync(store0)).Cluster!;
        Assert.Equal(("Loyal store regulars", second.ModelId), (profile.Label, profile.ModelId));
        var clusters = await h.Needs.ClustersAsync();
        Assert.Equal(second.ModelId, clusters.ModelId);
        Assert.Equal(0, clusters.Unassigned);
        Assert.Equal([6L, 6L], clusters.Clusters.Select(x => x.Size));
        var regulars = clusters.Clusters.Single(x => x.Label == "Loyal store regulars");
        var (members, more) = await new global::Rapport.Core.Analytics.NeedsClusterMembers(h.Db).PageAsync(second.ModelId, regulars.Index, 0);
        Assert.Equal(6, members.Count);
        Assert.False(more);
        Assert.Equal(6, (await h.MembersAsync(segment)).Count);
    }
}
