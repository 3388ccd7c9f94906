using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Identity;

public sealed class IdentityResolutionTests
{
    [Theory, BothStores]
    public async Task Identify_AfterAnonymousBrowsing_AnonymousHistoryJoinsTheKnownCustomer(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, anon: "a1"), Ev.Track("t1", 1, "Product Viewed", Ev.Product("SKU1", 10m), anon: "a1"));
        await h.SendAsync(Ev.Identify("i1", 5, new JsonObject { ["email"] = "Ann@Example.com", ["name"] = "Ann" }, user: "ann", anon: "a1"));

        var id = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal(id, await h.OwnerAsync(Identifier.AnonymousId, "a1"));
        Assert.Equal(id, await h.OwnerAsync(Identifier.Email, "ann@example.com"));
        var timeline = await h.Customers.TimelineAsync(id, 50, null, null, null, null);
        Assert.Equal(["i1", "t1", "p1"], timeline.Items.Select(i => i.MessageId));
        var profile = await h.Customers.GetAsync(id);
        Assert.Equal("Ann", profile!.Traits["name"].Value);
    }

    [Theory, BothStores]
    public async Task Track_TwoKnownAnonymousCustomersLinkedByEmail_MergeIsRecordedAndEventsMove(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "ann@example.com" }, anon: "laptop"));
        await h.SendAsync(Ev.Page("p1", 1, anon: "phone"));
        var laptop = await h.OwnerAsync(Identifier.AnonymousId, "laptop");
        var phone = await h.OwnerAsync(Identifier.AnonymousId, "phone");
        Assert.NotEqual(laptop, phone);

        await h.SendAsync(Ev.Identify("i2", 2, new JsonObject { ["email"] = "ANN@example.com" }, anon: "phone"));

        Assert.Equal(laptop, await h.OwnerAsync(Identifier.AnonymousId, "phone"));
        var merges = await h.Merges.ForCustomerAsync(laptop);
        var merge = Assert.Single(merges);
        Assert.Equal(phone, merge.AbsorbedId);
        Assert.Equal("i2", merge.MessageId);
        Assert.Contains("anonymous_id:phone", merge.Identifiers);
        Assert.Equal(3, (await h.Customers.TimelineAsync(laptop, 50, null, null, null, null)).Items.Count);
        Assert.Equal(laptop, (await h.Customers.GetAsync(phone))!.MergedInto);
    }

    [Theory, BothStores]
    public async Task Identify_SharedDeviceTwoUserIds_NeverMerged(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, [], user: "ann", anon: "family-ipad"));
        await h.SendAsync(Ev.Identify("i2", 10, [], user: "bob", anon: "family-ipad"));
        await h.SendAsync(Ev.Track("t1", 11, "Order Completed", Ev.Order("O1", ("SKU1", 5m, 1)), user: "bob", anon: "family-ipad"));

        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var bob = await h.OwnerAsync(Identifier.UserId, "bob");
        Assert.NotEqual(ann, bob);
        Assert.Equal(ann, await h.OwnerAsync(Identifier.AnonymousId, "family-ipad"));
        Assert.Equal(1, (await h.Customers.GetAsync(bob))!.Orders.Orders);
        Assert.Equal(0, (await h.Customers.GetAsync(ann))!.Orders.Orders);
    }

    [Theory, BothStores]
    public async Task Ingest_SameEventsInAnyOrder_SameCustomersAndHistories(StoreKind store)
    {
        IncomingEventsSet[] orders = [new([0, 1, 2, 3, 4, 5]), new([5, 4, 3, 2, 1, 0]), new([3, 0, 5, 1, 4, 2])];
        var results = new List<string>();
        foreach (var order in orders)
        {
            await using var h = await CoreHarness.CreateAsync(store);
            var events = Scenario();
            foreach (var i in order.Indexes)
            {
                await h.SendAsync(events[i]);
            }

            results.Add(await DescribeAsync(h));
        }

        Assert.All(results, r => Assert.Equal(results[0], r));
        Assert.Contains("user_id:bob|anonymous_id:tablet,user_id:bob=[e0,e2,e5]", results[0]);
    }

    [Theory, BothStores]
    public async Task Alias_PreviousAnonymousId_JoinsTheUser(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, anon: "anon-9"));
        await h.SendAsync(Ev.Alias("al1", 1, "anon-9", "carol"));

        Assert.Equal(await h.OwnerAsync(Identifier.UserId, "carol"), await h.OwnerAsync(Identifier.AnonymousId, "anon-9"));
    }

    [Theory, BothStores]
    public async Task UndoMerge_SplitsCustomersBackWithoutLosingEvents(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "x@example.com", ["name"] = "X" }, anon: "laptop"));
        await h.SendAsync(Ev.Track("t1", 1, "Product Added", Ev.Product("SKU1", 3m), anon: "phone"));
        await h.SendAsync(Ev.Identify("i2", 2, new JsonObject { ["email"] = "x@example.com" }, anon: "phone"));
        var survivor = await h.OwnerAsync(Identifier.AnonymousId, "laptop");
        var merge = Assert.Single(await h.Merges.ForCustomerAsync(survivor));

        Assert.Equal(UndoOutcome.Undone, await h.Merges.UndoAsync(merge.Id));
        Assert.Equal(UndoOutcome.AlreadyUndone, await h.Merges.UndoAsync(merge.Id));

        var phoneOwner = await h.OwnerAsync(Identifier.AnonymousId, "phone");
        Assert.Equal(merge.AbsorbedId, phoneOwner);
        Assert.Equal(survivor, await h.OwnerAsync(Identifier.Email, "x@example.com"));
        var phoneTimeline = (await h.Customers.TimelineAsync(phoneOwner, 50, null, null, null, null)).Items.Select(i => i.MessageId).ToList();
        var laptopTimeline = (await h.Customers.TimelineAsync(survivor, 50, null, null, null, null)).Items.Select(i => i.MessageId).ToList();
        Assert.Contains("t1", phoneTimeline);
        Assert.Equal(3, phoneTimeline.Count + laptopTimeline.Count);
        Assert.Equal("SKU1", Assert.Single((await h.Commerce.CartAsync(phoneOwner))!.Items).Sku);

        // The undo sticks: the same pair seen again does not silently re-merge them.
        await h.SendAsync(Ev.Identify("i3", 3, new JsonObject { ["email"] = "x@example.com" }, anon: "phone"));
        Assert.NotEqual(await h.OwnerAsync(Identifier.AnonymousId, "laptop"), await h.OwnerAsync(Identifier.AnonymousId, "phone"));
        Assert.Equal(UndoOutcome.NotFound, await h.Merges.UndoAsync(9999));
    }

    private sealed record IncomingEventsSet(int[] Indexes);

    /// <summary>Two people, one tablet: Bob claims it first (by event time), Ann later.</summary>
    private static Rapport.Core.Events.IncomingEvent[] Scenario() =>
    [
        Ev.Page("e0", 0, anon: "tablet"),
        Ev.Identify("e1", 30, new JsonObject { ["email"] = "ann@example.com" }, user: "ann", anon: "laptop"),
        Ev.Identify("e2", 10, [], user: "bob", anon: "tablet"),
        Ev.Identify("e3", 20, [], user: "ann", anon: "tablet"),
        Ev.Track("e4", 40, "Product Viewed", Ev.Product("S", 1m), user: "ann"),
        Ev.Track("e5", 50, "Product Viewed", Ev.Product("S", 1m), anon: "tablet"),
    ];

    /// <summary>Customers as "strongest id | all ids = [their events]", independent of numeric ids.</summary>
    private static async Task<string> DescribeAsync(CoreHarness h)
    {
        await using var c = await h.Db.OpenAsync();
        var ids = (await c.QueryAsync<(string Kind, string Value, long Customer)>("SELECT kind, value, customer_id FROM identifiers")).ToList();
        var events = (await c.QueryAsync<(string MessageId, long Customer)>("SELECT message_id, customer_id FROM events")).ToList();
        return string.Join("; ", ids.GroupBy(i => i.Customer).Select(g =>
        {
            var members = g.Select(i => new Identifier(i.Kind, i.Value)).Order().ToList();
            var evs = events.Where(e => e.Customer == g.Key).Select(e => e.MessageId).Order(StringComparer.Ordinal);
            return $"{members[0]}|{string.Join(",", members.Select(m => m.ToString()).Order(StringComparer.Ordinal))}=[{string.Join(",", evs)}]";
        }).Order(StringComparer.Ordinal));
    }
}
