using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>Points follow their customer through a merge and back through its undo.</summary>
public sealed class MergeTests
{
    [Theory, BothStores]
    public async Task Merge_ThenUndo_PointsFollowTheirCustomer(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("LAMP", 10m, 1)), anon: "laptop"));
        await h.SendAsync(Ev.Track("o2", 1, "Order Completed", Ev.Order("ORD-2", ("LAMP", 30m, 1)), anon: "phone"));
        var laptop = (await h.Customers.LookupAsync(Identifier.AnonymousId, "laptop"))!.Value;
        var phone = (await h.Customers.LookupAsync(Identifier.AnonymousId, "phone"))!.Value;

        await h.SendAsync(
            Ev.Identify("i1", 2, new JsonObject { ["email"] = "z@example.com" }, anon: "laptop"),
            Ev.Identify("i2", 3, new JsonObject { ["email"] = "z@example.com" }, anon: "phone"));
        var merged = (await h.Customers.LookupAsync(Identifier.AnonymousId, "phone"))!.Value;
        var together = (await h.Queries.AccountAsync(merged))!;
        var viaAbsorbed = (await h.Queries.AccountAsync(merged == phone ? laptop : phone))!;

        Assert.Equal(40, together.Balance);
        Assert.Equal(merged, viaAbsorbed.CustomerId); // the absorbed id answers with the survivor's account

        var merge = Assert.Single(await h.Merges.ForCustomerAsync(merged));
        await h.Merges.UndoAsync(merge.Id);

        Assert.Equal(10, await h.BalanceAsync(laptop));
        Assert.Equal(30, await h.BalanceAsync(phone));
        await h.AssertBalancedAsync();
    }
}
