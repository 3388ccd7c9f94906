using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Commerce;

public sealed class CommerceProjectionTests
{
    [Theory, BothStores]
    public async Task OrderCompleted_StoresOrderLinesAndProducts(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("LAMP", 19.99m, 2), ("BULB", 0.001m, 3)), user: "ann", channel: "store"));

        await using var c = await h.Db.OpenAsync();
        var order = await c.QuerySingleAsync<(string Kind, string Channel, long Total, long Customer)>(
            "SELECT kind, channel, total_e4, customer_id FROM orders WHERE order_id = 'ORD-1'");
        Assert.Equal(("sale", "store"), (order.Kind, order.Channel));
        Assert.Equal(39.983m, Money.FromStorage(order.Total));
        Assert.Equal(await h.OwnerAsync(Identifier.UserId, "ann"), order.Customer);
        Assert.Equal(2L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM order_lines WHERE order_id = 'ORD-1'"));
        Assert.Equal("LAMP name", await c.ExecuteScalarAsync<string>("SELECT name FROM products WHERE sku = 'LAMP'"));
    }

    [Theory, BothStores]
    public async Task OrderRefunded_PartialRefund_IsAReturnAndMarksTheOrder(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-2", ("LAMP", 10m, 3)), user: "ann"));
        var refund = new JsonObject { ["order_id"] = "ORD-2", ["total"] = 10m, ["products"] = new JsonArray(Ev.Product("LAMP", 10m, 1)) };
        await h.SendAsync(Ev.Track("r1", 5, "Order Refunded", refund, user: "ann"));

        var profile = await h.Customers.GetAsync(await h.OwnerAsync(Identifier.UserId, "ann"));
        Assert.Equal(1, profile!.Orders.Orders);
        Assert.Equal(1, profile.Orders.Returns);
        Assert.Equal(20m, profile.Orders.Revenue);
        await using var c = await h.Db.OpenAsync();
        Assert.Equal("partially_refunded", await c.ExecuteScalarAsync<string>("SELECT status FROM orders WHERE order_id = 'ORD-2'"));
    }

    [Theory, BothStores]
    public async Task CartEvents_OutOfOrder_CartIsTheFoldInEventTime(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        // Removal (t=2) arrives before the adds (t=0, t=1) it follows.
        await h.SendAsync(Ev.Track("c3", 2, "Product Removed", Ev.Product("MUG", 4m, 1), anon: "v1"));
        await h.SendAsync(Ev.Track("c1", 0, "Product Added", Ev.Product("MUG", 4m, 2), anon: "v1"));
        await h.SendAsync(Ev.Track("c2", 1, "Product Added", Ev.Product("TEA", 6m, 1), anon: "v1"));

        var cart = await h.Commerce.CartAsync(await h.OwnerAsync(Identifier.AnonymousId, "v1"));
        Assert.Equal("open", cart!.Status);
        Assert.Equal([("MUG", 1), ("TEA", 1)], cart.Items.Select(i => (i.Sku, i.Quantity)));
    }

    [Theory, BothStores]
    public async Task CartEvents_InOrderAcrossBatches_StoredCartMatchesTheFold(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);

        // One event per transaction, so each continues the stored cart and writes only what changed:
        // a new item, a quantity and price change, a removed item, then a conversion.
        await h.SendAsync(Ev.Track("d1", 0, "Product Added", Ev.Product("MUG", 4m, 2), anon: "v2"));
        await h.SendAsync(Ev.Track("d2", 1, "Product Added", Ev.Product("TEA", 6m, 1), anon: "v2"));
        await h.SendAsync(Ev.Track("d3", 2, "Product Added", Ev.Product("MUG", 5m, 1), anon: "v2"));
        await h.SendAsync(Ev.Track("d4", 3, "Product Removed", Ev.Product("TEA", 6m, 1), anon: "v2"));
        var customer = await h.OwnerAsync(Identifier.AnonymousId, "v2");

        var cart = await h.Commerce.CartAsync(customer);
        Assert.Equal("open", cart!.Status);
        Assert.Equal([("MUG", 3, (decimal?)5m)], cart.Items.Select(i => (i.Sku, i.Quantity, i.UnitPrice)));
        Assert.Equal(Ev.At(3), cart.UpdatedAt);

        await h.SendAsync(Ev.Track("d5", 4, "Order Completed", Ev.Order("ORD-D", ("MUG", 5m, 3)), anon: "v2"));
        var converted = await h.Commerce.CartAsync(customer);
        Assert.Equal("converted", converted!.Status);
        Assert.Empty(converted.Items);
    }

    [Theory, BothStores]
    public async Task AbandonedCarts_IdleLongerThanThreshold_AreListedUntilBought(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        h.Clock.SetUtcNow(Ev.At(0).AddMinutes(30));
        await h.SendAsync(Ev.Track("a1", 0, "Product Added", Ev.Product("MUG", 4m, 2), anon: "idle"));
        await h.SendAsync(Ev.Track("a2", 25, "Product Added", Ev.Product("TEA", 6m, 1), anon: "busy"));

        var abandoned = await h.Commerce.AbandonedAsync(TimeSpan.FromMinutes(20), 10);
        var cart = Assert.Single(abandoned);
        Assert.Equal(await h.OwnerAsync(Identifier.AnonymousId, "idle"), cart.CustomerId);
        Assert.Equal(8m, cart.Value);

        await h.SendAsync(Ev.Track("a3", 31, "Order Completed", Ev.Order("ORD-9", ("MUG", 4m, 2)), anon: "idle"));
        h.Clock.Advance(TimeSpan.FromHours(2));
        var after = await h.Commerce.AbandonedAsync(TimeSpan.FromMinutes(20), 10);
        Assert.Equal([await h.OwnerAsync(Identifier.AnonymousId, "busy")], after.Select(a => a.CustomerId));
    }

    [Theory, BothStores]
    public async Task Resume_ViewedNotBoughtCartAndSearches_AreReturned(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(
            Ev.Track("v1", 0, "Product Viewed", Ev.Product("LAMP", 20m), user: "ann"),
            Ev.Track("v2", 1, "Product Viewed", Ev.Product("SOFA", 300m), user: "ann"),
            Ev.Track("s1", 2, "Products Searched", new JsonObject { ["query"] = "blue rug" }, user: "ann"),
            Ev.Track("b1", 3, "Order Completed", Ev.Order("ORD-3", ("LAMP", 20m, 1)), user: "ann"),
            Ev.Track("c1", 4, "Product Added", Ev.Product("RUG", 80m), user: "ann"));

        var resume = await h.Commerce.ResumeAsync(await h.OwnerAsync(Identifier.UserId, "ann"));

        Assert.Equal(["SOFA"], resume.RecentlyViewed.Select(v => v.Sku));
        Assert.Equal(["blue rug"], resume.RecentSearches);
        Assert.Equal("RUG", Assert.Single(resume.OpenCart!.Items).Sku);
    }
}
