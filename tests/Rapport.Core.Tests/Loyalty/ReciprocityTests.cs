using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Value;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>The reciprocity ledger from orders, reviews, referrals, traits, redemptions and recorded costs.</summary>
public sealed class ReciprocityTests
{
    [Theory, BothStores]
    public async Task Customer_GaveAndReceived_ValuedWithTheDocumentedPrices(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        await ValueTestData.SetUnitCostAsync(h.Db, "CUP", 6m, 10m);
        var order = Ev.Order("W-1", ("CUP", 10m, 10));
        order["discount"] = 5m;
        order["total"] = 95m;
        await h.SendAsync(
            Ev.Identify("i1", 0, new JsonObject { ["email"] = "ann@example.com", ["favouriteColour"] = "green" }, user: "ann"),
            Ev.Track("o1", 1, "Order Completed", order, user: "ann"),
            Ev.Track("rv", 2, "Review Submitted", [], user: "ann"),
            Ev.Track("rf", 3, "Referral Completed", [], user: "ann"));
        var ann = await h.CustomerAsync("ann");
        await h.Ledger.RedeemAsync(ann, 100, "r1", null, null);
        await h.Costs.RecordAsync(ann, "surprise", 4m, null, "s1", null);
        await h.Costs.RecordAsync(ann, "service", 6m, null, "t1", null);

        var view = (await h.Reciprocity.GetAsync(ann))!;

        // Given: margin 100 − 60 = 40 (revenue before discount less cost), a referral 25, a review 5, two traits 1.
        Assert.Equal(40m, view.GivenItems["margin"]);
        Assert.Equal(71m, view.Given);
        // Received: discount 5, 100 points × 0.01 = 1, surprise 4, service 6.
        Assert.Equal(1m, view.ReceivedItems["rewards"]);
        Assert.Equal(16m, view.Received);
        Assert.Equal(55m, view.Balance);
        Assert.Equal(55m, await h.Reciprocity.BalanceAsync(ann));
        Assert.Equal(55m, (await h.Reciprocity.BalancesAsync([ann, 424242]))[ann]);
        Assert.Null(await h.Reciprocity.GetAsync(424242));
    }
}
