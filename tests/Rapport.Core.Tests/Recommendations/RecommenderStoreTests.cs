using System.Text.Json.Nodes;
using Rapport.Core.Recommendations;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Recommendations;

public sealed class RecommenderStoreTests
{
    [Theory, BothStores]
    public async Task Retrain_ReadsSalesBasketsViewsAndCartAdds_NotCancelledOrders(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(
            Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("MUG", 5m, 1), ("PLATE", 10m, 1)), user: "ann"),
            Ev.Track("o2", 1, "Order Completed", Ev.Order("ORD-2", ("MUG", 5m, 1), ("PLATE", 10m, 1)), user: "bob"),
            Ev.Track("o3", 2, "Order Completed", Ev.Order("ORD-3", ("LAMP", 30m, 1)), user: "cy"),
            Ev.Track("x3", 3, "Order Cancelled", new JsonObject { ["order_id"] = "ORD-3" }, user: "cy"),
            Ev.Track("v1", 4, "Product Viewed", Ev.Product("MUG", 5m, category: "mugs"), user: "dee"),
            Ev.Track("a1", 5, "Product Added", Ev.Product("BOWL", 7m), user: "dee"));

        var data = await RecommendationData.LoadAsync(h.Db, new RecommendationOptions(), Ev.At(-60), default);
        var recommender = new Recommender(h.Db, h.Clock, new RecommendationOptions(), new RecentActivity());
        var info = await recommender.RetrainAsync();
        var dee = await h.OwnerAsync(Identifier.UserId, "dee");
        var personal = recommender.ForCustomer(recommender.Snapshot!, dee, RecommendationKind.Personal, null, SimilaritySignal.All, 5, new HashSet<string>());

        Assert.Equal(2, data.Baskets);
        Assert.Equal(4, data.Purchases.Count);
        Assert.Single(data.Views);
        Assert.Single(data.CartAdds);
        Assert.True(data.Items.TryGet("LAMP", out var lamp)); // in the catalogue (products row)...
        Assert.DoesNotContain(data.Purchases, p => p.Item == lamp); // ...but its only order was cancelled
        Assert.Equal("mugs", data.Catalog[data.Items.TryGet("MUG", out var mug) ? mug : -1]!.Category);
        Assert.Equal(3, info.Customers); // ann, bob, dee: cy only has a cancelled order
        // dee added BOWL (weight 2) and viewed MUG (1); PLATE comes through MUG (Jaccard 2/3); LAMP has no live sale.
        Assert.Equal(["BOWL", "MUG", "PLATE"], personal.Select(p => p.Sku));
    }

    [Theory, BothStores]
    public async Task FirstModel_StillTraining_CallersAreNotHeld_AndShareOneTraining(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("MUG", 5m, 1), ("PLATE", 10m, 1)), user: "ann"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var trainings = 0;
        var recommender = new Recommender(h.Db, h.Clock, new RecommendationOptions(), new RecentActivity())
        {
            BeforeLoad = () =>
            {
                Interlocked.Increment(ref trainings);
                return release.Task;
            },
        };

        // The first training is held (as a long read of millions of events would be): callers get no model, at once.
        Assert.Null(await recommender.CurrentAsync(TimeSpan.Zero));
        Assert.Null(await recommender.CurrentAsync(TimeSpan.Zero));
        Assert.NotNull(recommender.FirstTrainingStartedAt);

        release.SetResult();
        var model = await recommender.CurrentAsync();

        Assert.Same(model, await recommender.CurrentAsync(TimeSpan.Zero));
        Assert.Equal(1, trainings); // one shared first training, not one per caller
        Assert.Null(recommender.FirstTrainingStartedAt);
        Assert.True(model.Items.TryGet("MUG", out _));
    }

    [Theory, BothStores]
    public async Task RecentActivity_FollowsTheEventStreamAndForgetsRolledBackBatches(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var recent = new RecentActivity();
        var recommender = new Recommender(h.Db, h.Clock, new RecommendationOptions(), recent);
        var projection = new RecommendationProjection(recommender, new RecommendationOptions());
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("MUG", 5m, 1)), user: "ann"));
        await recommender.RetrainAsync();
        Assert.False(recommender.IsStale);
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        await using (var c = await h.Db.OpenAsync())
        {
            await using var tx = await c.BeginTransactionAsync();
            var unit = new UnitOfWork(c, tx, h.Db.Dialect, h.Clock);
            var e = Ev.Track("v1", 1, "Product Viewed", Ev.Product("PLATE", 10m), user: "ann");
            await projection.ApplyAsync(unit, [new Core.Events.StoredEvent(e, ann, Identifier.Normalize(Identifier.UserId, "ann"))]);
            Assert.Equal("PLATE", Assert.Single(recent.For(ann)).Sku);
            await tx.RollbackAsync();
            unit.RunRollbackActions(); // what StoreWriter does when a batch fails
            await unit.DisposeAsync();
        }

        Assert.Empty(recent.For(ann));
        Assert.True(recommender.IsStale);
    }
}
