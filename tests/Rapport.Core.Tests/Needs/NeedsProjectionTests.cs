using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Needs;

/// <summary>Needs kept current by the ingest path, on both stores.</summary>
public sealed class NeedsProjectionTests
{
    [Theory, BothStores]
    public async Task Ingest_ViewsOrdersOffersAndPreferences_NeedsOnTheProfile(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        // The catalogue learns C1 is a chair from someone else's view; ann's view of C1 names no category.
        await h.SendAsync(h.View("cat-0", -30, "C1", "Chairs", user: "bob"));
        await h.SendAsync(
            h.View("v1", -5, "L1", "Lamps"),
            h.View("v2", -5, "L2", "Lamps"),
            h.View("v3", -5, "C1", null, channel: Channels.App),
            h.Order("A1", -4, "ann", Channels.Store, [("L1", "Lamps", 10m, 2)]),
            h.Order("A2", -3, "ann", Channels.Web, [("C1", "Chairs", 10m, 1)], coupon: "SPRING"),
            h.Event("p1", -3, NeedsEvents.PromotionViewed),
            h.Event("p2", -3, NeedsEvents.PromotionViewed, channel: Channels.Email),
            h.Event("p3", -3, NeedsEvents.PromotionClicked, channel: Channels.Email),
            h.Identify("i1", new JsonObject { ["values_most"] = "Quality", ["interests"] = new JsonArray("garden", "lighting") }, "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        var needs = await h.Needs.GetAsync(ann);

        // Views: 2 of 3 Lamps (same day); spend: 20.00 Lamps, 10.00 Chairs one day later (a day of decay at 90 days is ~0.8%).
        var lamps = needs.Affinity.Single(a => a.Category == "Lamps");
        Assert.Equal(2.0 / 3, lamps.ViewShare!.Value, 6);
        Assert.InRange(lamps.SpendShare!.Value, 0.66, 0.667);
        Assert.Equal("Lamps", needs.Affinity[0].Category);
        Assert.Equal(1.0 / 3, needs.Affinity.Single(a => a.Category == "Chairs").ViewShare!.Value, 6);

        var price = needs.PriceSensitivity!;
        Assert.Equal(3, price.Units);
        Assert.Equal(1, price.DiscountedUnits); // the coupon order
        Assert.Equal(1.0 / 3, price.DiscountRevenueShare!.Value, 6);
        Assert.Equal(2, price.OffersShown);
        Assert.Equal(1, price.OffersAccepted);
        Assert.Equal(0.5, price.OfferResponse);
        Assert.Equal(((1.0 / 3) + 0.5) / 2, price.Score!.Value, 6);

        var web = needs.Channels.Single(c => c.Channel == Channels.Web);
        Assert.Equal(4, web.Interactions); // v1, v2, order A2, p1 (the identify is not an interaction)
        Assert.Equal(1, web.Purchases);
        Assert.Equal(0.5, web.PurchaseShare);
        Assert.Equal(1, needs.Channels.Single(c => c.Channel == Channels.Store).Purchases);
        Assert.Equal(1, needs.Channels.Single(c => c.Channel == Channels.App).Interactions);

        Assert.Equal("quality", needs.Preferences.ValuesMost!.Value);
        Assert.StartsWith("trait values_most", needs.Preferences.ValuesMost.Source, StringComparison.Ordinal);
        Assert.Equal(h.Clock.GetUtcNow(), needs.Preferences.ValuesMost.At);
        Assert.Equal(["garden", "lighting"], needs.Preferences.Interests!.Value);

        // Later, the customer states another value through the documented event: the latest wins.
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.SendAsync(h.Event("ps", 0, NeedsEvents.PreferencesStated, new JsonObject { ["values_most"] = "perks" }));
        var stated = (await h.Needs.GetAsync(ann)).Preferences.ValuesMost!;
        Assert.Equal("perks", stated.Value);
        Assert.Equal("event Preferences Stated", stated.Source);

        var profile = await h.Customers.GetAsync(ann);
        Assert.Equal("perks", profile!.Needs!.Preferences.ValuesMost!.Value);
    }

    [Theory, BothStores]
    public async Task Ingest_RepeatPurchases_CadencePredictsTheNextOne(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(
            h.Order("c1", -40, "ann", Channels.Web, [("COFFEE", "Food", 8m, 1), ("MUG", "Kitchen", 5m, 1)]),
            h.Order("c2", -30, "ann", Channels.Web, [("COFFEE", "Food", 8m, 1)]));
        await h.SendAsync(h.Order("c3", -20, "ann", Channels.Web, [("COFFEE", "Food", 8m, 1)]));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        var cadence = (await h.Needs.GetAsync(ann)).Cadence;

        var coffee = cadence[0];
        Assert.Equal("COFFEE", coffee.Sku);
        Assert.Equal(3, coffee.Purchases);
        Assert.Equal(10, coffee.MedianIntervalDays);
        Assert.Equal(h.Clock.GetUtcNow().AddDays(-10), coffee.NextPurchaseAt);
        var mug = cadence.Single(c => c.Sku == "MUG");
        Assert.Null(mug.NextPurchaseAt);
    }

    [Theory, BothStores]
    public async Task Ingest_BelowListPrice_CountsAsDiscount_CancelledOrderCountsForNothing(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(h.View("v0", -10, "VASE", "Decor", user: "bob")); // list price 10.00 from the catalogue of events
        await h.SendAsync(
            h.Order("d1", -2, "ann", Channels.Web, [("VASE", "Decor", 7m, 1)]),
            h.Order("d2", -1, "ann", Channels.Web, [("VASE", "Decor", 10m, 3)]));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal(0.25, (await h.Needs.GetAsync(ann)).PriceSensitivity!.DiscountUnitShare);

        await h.SendAsync(h.Event("x", 0, EcommerceEvents.OrderCancelled, new JsonObject { ["order_id"] = "d2" }));

        var price = (await h.Needs.GetAsync(ann)).PriceSensitivity!;
        Assert.Equal(1, price.Units);
        Assert.Equal(1.0, price.DiscountUnitShare);
    }

    [Theory, BothStores]
    public async Task Merge_AnonymousBrowsingJoinsTheBuyer_OneNeedsRow(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(new IncomingEvent("anon-v", "track", EcommerceEvents.ProductViewed, Channels.App, null, "device-1", h.Clock.GetUtcNow().AddDays(-1),
            new JsonObject { ["product_id"] = "L1", ["category"] = "Lamps" }, null, null));
        await h.SendAsync(h.Order("m1", -1, "ann", Channels.Store, [("C1", "Chairs", 10m, 1)]));
        var visitor = await h.OwnerAsync(Identifier.AnonymousId, "device-1");
        var buyer = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.NotEqual(visitor, buyer);

        await h.SendAsync(h.Identify("login", [], "ann", anon: "device-1"));

        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var needs = await h.Needs.GetAsync(ann);
        Assert.Equal(1.0, needs.Affinity.Single(a => a.Category == "Lamps").ViewShare);
        Assert.Equal(1.0, needs.Affinity.Single(a => a.Category == "Chairs").SpendShare);
        Assert.Equal(1, needs.Channels.Single(c => c.Channel == Channels.App).Interactions);
        await using var c = await h.Db.OpenAsync();
        var rows = await c.QueryAsync<long>("SELECT customer_id FROM customer_needs");
        Assert.Equal([ann], rows); // the absorbed customer's needs are gone
        Assert.Contains(ann, new[] { visitor, buyer });
    }
}
