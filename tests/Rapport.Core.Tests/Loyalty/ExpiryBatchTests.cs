using System.Text.Json.Nodes;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>The nightly expiry in small batches of lot id ranges expires exactly the due lots, once.</summary>
public sealed class ExpiryBatchTests
{
    [Theory, BothStores]
    public async Task Expiry_InBatchesOfTwoLotIds_ExpiresEveryDueLotOnce(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, new LoyaltyProgram { ExpiryDays = 30 });
        await h.SendAsync(
            Ev.Identify("a", 0, new JsonObject(), user: "ann"), Ev.Identify("b", 1, new JsonObject(), user: "bob"), Ev.Identify("c", 2, new JsonObject(), user: "cy"));
        var (ann, bob, cy) = (await h.CustomerAsync("ann"), await h.CustomerAsync("bob"), await h.CustomerAsync("cy"));
        var start = h.Clock.GetUtcNow();

        // Day 0: three lots expiring at the same instant; days
        // 1, 2 and 3: one lot each; day 20: one lot that is not yet due on day 33.5.
        foreach (var (day, customer, points) in new[] { (0, ann, 10L), (0, bob, 20L), (0, cy, 30L), (1, ann, 1L), (2, bob, 2L), (3, cy, 3L), (20, ann, 100L) })
        {
            h.Clock.SetUtcNow(start.AddDays(day));
            Assert.Equal(LoyaltyStatus.Done, (await h.Ledger.EarnAsync(customer, points, null, null, null)).Status);
        }

        h.Clock.SetUtcNow(start.AddDays(33.5));
        var expiry = new LoyaltyExpiry(h.Writer, h.Programs) { BatchLots = 2 };

        var summary = await expiry.RunAsync();
        var again = await expiry.RunAsync();

        Assert.Equal((6L, 66L), (summary.LotsExpired, summary.PointsExpired));
        Assert.Equal(0L, again.LotsExpired);
        Assert.Equal((100L, 0L, 0L), (await h.BalanceAsync(ann), await h.BalanceAsync(bob), await h.BalanceAsync(cy)));
        await h.AssertBalancedAsync();
    }
}
