using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>Tiers by rolling spend: upgrade at once, downgrade after the grace period, changes on the timeline.</summary>
public sealed class TierTests
{
    [Theory, BothStores]
    public async Task BigOrder_UpgradesAtOnce_ThenDowngradesOnlyAfterGrace(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("W-1", ("SOFA", 1200m, 1)), user: "ann"));
        var ann = await h.CustomerAsync("ann");

        var upgraded = (await h.Queries.AccountAsync(ann))!;
        Assert.Equal("gold", upgraded.Tier);
        Assert.Null(upgraded.Progress); // top tier
        Assert.Equal(1200, upgraded.Balance); // the upgrade counts from this order on: earned before it, at member rate

        // The order leaves the 12-month window: below gold, but gold is kept through the grace period.
        h.Clock.SetUtcNow(Ev.At(0).AddDays(366));
        await h.Expiry.RunAsync();
        var grace = (await h.Queries.AccountAsync(ann))!;
        Assert.Equal("gold", grace.Tier);
        Assert.Equal(Ev.At(0).AddDays(366 + 30), grace.TierGraceUntil);

        h.Clock.SetUtcNow(Ev.At(0).AddDays(366 + 30));
        var run = await h.Expiry.RunAsync();
        var after = (await h.Queries.AccountAsync(ann))!;
        Assert.Equal(1, run.TiersChanged);
        Assert.Equal("member", after.Tier);
        Assert.Equal(("gold", 1000m), (after.Progress!.NextTier, after.Progress.Needed));

        var timeline = await h.Customers.TimelineAsync(ann, 50, null, null, null, "Tier Changed");
        Assert.Equal(2, timeline.Items.Count);
        Assert.Equal("member", timeline.Items[0].Properties!["to"]!.GetValue<string>());
        Assert.Equal("gold", timeline.Items[1].Properties!["to"]!.GetValue<string>());
        // Journeys thank upgrades by this property (docs/journeys.md, ready-made tier-upgrade).
        Assert.Equal(["down", "up"], timeline.Items.Select(e => e.Properties!["direction"]!.GetValue<string>()));
    }
}
