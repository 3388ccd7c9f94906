using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Customers;

public sealed class TraitsAndTimelineTests
{
    [Theory, BothStores]
    public async Task Traits_LateOlderValue_KeepsNewestAndRecordsHistory(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i2", 10, new JsonObject { ["plan"] = "gold" }, user: "ann", channel: "store"));
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["plan"] = "silver" }, user: "ann", channel: "phone"));

        var id = await h.OwnerAsync(Identifier.UserId, "ann");
        var trait = (await h.Customers.GetAsync(id))!.Traits["plan"];
        Assert.Equal(("gold", "store:identify"), (trait.Value, trait.Source));
        var history = await h.Customers.TraitHistoryAsync(id, "plan");
        Assert.Equal(["gold", "silver"], history.Select(x => x.Value));
    }

    [Theory, BothStores]
    public async Task ContextTraits_RepeatedOnEveryEvent_TheHistoryKeepsEachValueOnce_IdentifyIsAlwaysRecorded(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        JsonObject Plan(string plan) => new() { ["plan"] = plan };
        await h.SendAsync(Ev.Identify("i1", 0, Plan("gold"), user: "ann"));
        // As RudderStack sends them: the known traits copied into every track call's context.
        await h.SendAsync(Enumerable.Range(1, 5).Select(i => Ev.Track($"t{i}", i, "Product Viewed", user: "ann") with { Traits = Plan("gold") }).ToArray());
        await h.SendAsync(Ev.Track("t6", 6, "Product Viewed", user: "ann") with { Traits = Plan("platinum") });
        await h.SendAsync(Ev.Track("t7", 7, "Product Viewed", user: "ann") with { Traits = Plan("platinum") });
        await h.SendAsync(Ev.Identify("i2", 8, Plan("platinum"), user: "ann"));

        var id = await h.OwnerAsync(Identifier.UserId, "ann");
        var trait = (await h.Customers.GetAsync(id))!.Traits["plan"];
        Assert.Equal(("platinum", "web:identify"), (trait.Value, trait.Source)); // the current value still follows every event
        var history = await h.Customers.TraitHistoryAsync(id, "plan");
        Assert.Equal([("platinum", "web:identify"), ("platinum", "web:track"), ("gold", "web:identify")], history.Select(x => (x.Value, x.Source)));
    }

    [Theory, BothStores]
    public async Task Timeline_PagedAndFiltered_NewestFirstAcrossChannels(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var events = Enumerable.Range(0, 7)
            .Select(i => Ev.Track($"e{i}", i, "Visited", null, user: "ann", channel: i % 2 == 0 ? "store" : "chat"))
            .ToArray();
        await h.SendAsync(events);
        var id = await h.OwnerAsync(Identifier.UserId, "ann");

        var first = await h.Customers.TimelineAsync(id, 3, null, null, null, null);
        var second = await h.Customers.TimelineAsync(id, 3, first.NextCursor, null, null, null);
        var third = await h.Customers.TimelineAsync(id, 3, second.NextCursor, null, null, null);
        Assert.Equal(["e6", "e5", "e4", "e3", "e2", "e1", "e0"], first.Items.Concat(second.Items).Concat(third.Items).Select(i => i.MessageId));
        Assert.Null(third.NextCursor);

        var chat = await h.Customers.TimelineAsync(id, 50, null, "chat", null, null);
        Assert.Equal(["e5", "e3", "e1"], chat.Items.Select(i => i.MessageId));
    }

    [Theory, BothStores]
    public async Task Ingest_RetriedMessageId_StoredOnce(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var first = await h.SendAsync(Ev.Page("same", 0, anon: "x"), Ev.Page("same", 0, anon: "x"));
        var retry = await h.SendAsync(Ev.Page("same", 0, anon: "x"));

        Assert.Equal((1, 1), (first.Stored, first.Duplicates));
        Assert.Equal((0, 1), (retry.Stored, retry.Duplicates));
        var id = await h.OwnerAsync(Identifier.AnonymousId, "x");
        Assert.Single((await h.Customers.TimelineAsync(id, 50, null, null, null, null)).Items);
    }

    [Theory, BothStores]
    public async Task Search_ByNameOrEmail_FindsCustomer(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["name"] = "Grace Hopper", ["email"] = "grace@navy.mil" }, user: "g"));
        await h.SendAsync(Ev.Identify("i2", 0, new JsonObject { ["name"] = "Alan Turing" }, user: "a"));

        var byName = await h.Customers.SearchAsync("hopper", 10);
        var byEmail = await h.Customers.SearchAsync("NAVY.mil", 10);

        Assert.Equal("Grace Hopper", Assert.Single(byName).Name);
        Assert.Equal("grace@navy.mil", Assert.Single(byEmail).Email);
    }
}
