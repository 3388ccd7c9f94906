using Rapport.Core.Commerce;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Commerce;

/// <summary>The stored cart is the fold of the customer's cart events however they arrive (continued fold or rebuild).</summary>
public sealed class CartFoldTests
{
    private static readonly string[] Names =
        [EcommerceEvents.ProductAdded, EcommerceEvents.ProductAdded, EcommerceEvents.ProductRemoved, EcommerceEvents.CheckoutStarted, EcommerceEvents.OrderCompleted];

    [Fact]
    public void Fold_ContinuedFromAnEarlierFold_SameAsFoldingEverything()
    {
        var random = new Random(7);
        for (var run = 0; run < 200; run++)
        {
            var events = Enumerable.Range(0, random.Next(1, 12)).Select(i => RandomEvent(random, i)).ToList();
            var split = random.Next(events.Count + 1);

            var whole = CartState.Fold(events);
            var continued = CartState.Fold(CartState.Fold(events.Take(split)), events.Skip(split));

            Assert.Equal((whole.Status, whole.UpdatedAt), (continued.Status, continued.UpdatedAt));
            Assert.Equal(whole.Items.OrderBy(i => i.Key), continued.Items.OrderBy(i => i.Key));
        }
    }

    [Theory, BothStores]
    public async Task CartEvents_InOrderThenOneLate_CartIsTheFoldOfAll(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        // In order, one batch each (each continues the stored cart), then one from before them all.
        await h.SendAsync(Ev.Track("c1", 1, "Product Added", Ev.Product("MUG", 4m, 2), anon: "v"));
        await h.SendAsync(Ev.Track("c2", 2, "Product Added", Ev.Product("TEA", 6m, 1), anon: "v"));
        await h.SendAsync(Ev.Track("c3", 3, "Product Removed", Ev.Product("MUG", 4m, 1), anon: "v"), Ev.Track("c4", 4, "Checkout Started", [], anon: "v"));
        var inOrder = await h.Commerce.CartAsync(await h.OwnerAsync(Identifier.AnonymousId, "v"));
        await h.SendAsync(Ev.Track("c0", 0, "Product Added", Ev.Product("JAM", 3m, 1), anon: "v"));
        var late = await h.Commerce.CartAsync(await h.OwnerAsync(Identifier.AnonymousId, "v"));

        Assert.Equal([("MUG", 1), ("TEA", 1)], inOrder!.Items.Select(i => (i.Sku, i.Quantity)));
        Assert.Equal([("JAM", 1), ("MUG", 1), ("TEA", 1)], late!.Items.Select(i => (i.Sku, i.Quantity)).OrderBy(i => i.Sku));
        Assert.Equal("open", late.Status);
    }

    [Theory, BothStores]
    public async Task CartEvents_OrderCompletedInALaterBatch_CartConvertedAndEmpty(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Track("c1", 1, "Product Added", Ev.Product("MUG", 4m, 2), anon: "w"));
        await h.SendAsync(Ev.Track("c2", 2, "Order Completed", Ev.Order("ORD-1", ("MUG", 4m, 2)), anon: "w"));

        var cart = await h.Commerce.CartAsync(await h.OwnerAsync(Identifier.AnonymousId, "w"));

        Assert.Equal("converted", cart!.Status);
        Assert.Empty(cart.Items);
    }

    private static CartEvent RandomEvent(Random random, int minute)
    {
        var products = Enumerable.Range(0, random.Next(1, 3))
            .Select(_ => new ProductRef($"P{random.Next(4)}", null, null, random.Next(3) == 0 ? null : random.Next(1, 9), random.Next(1, 4)))
            .ToList();
        return new CartEvent(Names[random.Next(Names.Length)], 1_000 + (minute * 60_000L), products);
    }
}
