using Rapport.Core.Journeys;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Journeys;

/// <summary>Enrolments and tasks follow merges (JourneyMergeProjection, which the server runs in every merge's rebuild), on both stores.</summary>
public sealed class JourneyMergeTests
{
    private const string CartCall = """
        {"name": "Cart call", "trigger": {"event": "Checkout Started"}, "controlGroup": 0,
         "steps": [{"id": "call", "type": "task", "title": "Call about the cart"}, {"id": "wait", "type": "wait", "duration": "1h"}]}
        """;

    private const string Welcome = """
        {"name": "Welcome", "trigger": {"event": "Signed Up"}, "controlGroup": 0, "steps": [{"id": "wait", "type": "wait", "duration": "2d"}]}
        """;

    [Theory, BothStores]
    public async Task Merge_MovesEnrolmentsWithoutDuplicates_AndAnUndoMovesNothingBack(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var cart = await h.JourneyAsync(CartCall);
        var welcome = await h.JourneyAsync(Welcome);
        var ann = await h.CustomerAsync("ann");
        var bob = await h.CustomerAsync("bob");
        await h.TrackAsync("c1", "ann", "Checkout Started");
        await h.TrackAsync("c2", "bob", "Checkout Started");
        await h.TrackAsync("s2", "bob", "Signed Up");
        await h.RunAsync();

        // Bob turns out to be Ann (an explicit alias), and the merge's rebuild runs the projection.
        await h.Core.SendAsync(Events.Ev.Alias("a1", 10, "bob", "ann"));
        var survivor = await h.Core.OwnerAsync(Rapport.Engine.Identity.Identifier.UserId, "ann");
        var absorbed = survivor == ann ? bob : ann;
        await RebuildAsync(h, ann, bob);

        var inCart = await h.Queries.EnrolmentsAsync(cart, null, null, null, 10);
        Assert.Equal(survivor, Assert.Single(inCart, e => e.Status == "active").CustomerId);
        var duplicate = Assert.Single(inCart, e => e.Status == "completed");
        Assert.Equal((absorbed, $"merged into customer {survivor}"), (duplicate.CustomerId, duplicate.ExitReason));
        Assert.Null(duplicate.NextAt); // its timer is gone
        Assert.Equal(survivor, Assert.Single(await h.Queries.EnrolmentsAsync(welcome, null, null, null, 10)).CustomerId); // only one had it: moved
        Assert.All(await h.Queries.TasksAsync("open", 10), t => Assert.Equal(survivor, t.CustomerId));

        // A second rebuild (another merge later) changes nothing.
        await RebuildAsync(h, ann, bob);
        Assert.Single(await h.Queries.EnrolmentsAsync(cart, "active", null, null, 10));

        // Undo: the restored customer gets no enrolment back; what moved stays with the survivor.
        var merge = (await h.Core.Merges.ForCustomerAsync(survivor)).Single(m => m.UndoneAt is null);
        await h.Core.Merges.UndoAsync(merge.Id);
        await RebuildAsync(h, ann, bob);
        Assert.Equal(survivor, Assert.Single(await h.Queries.EnrolmentsAsync(welcome, "active", null, null, 10)).CustomerId);
        Assert.Empty(await h.Queries.EnrolmentsAsync(welcome, "active", absorbed, null, 10));
    }

    private static Task<int> RebuildAsync(JourneyHarness h, params long[] customers) =>
        h.Core.Writer.WriteAsync(async unit =>
        {
            await new JourneyMergeProjection().RebuildAsync(unit, customers);
            return 0;
        });
}
