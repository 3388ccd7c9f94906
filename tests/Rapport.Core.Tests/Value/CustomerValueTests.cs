using System.Text.Json.Nodes;
using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Value;

/// <summary>customer_value kept current as orders, refunds, cancellations, costs, merges and imports arrive.</summary>
public sealed class CustomerValueTests
{
    [Theory, BothStores]
    public async Task OrdersRefundAndCosts_OneCustomer_ExactFigures(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await ValueTestData.SetUnitCostAsync(h.Db, "LAMP", 6m, 10m);
        await ValueTestData.SetUnitCostAsync(h.Db, "BULB", 0.5m, 1m);
        var first = Ev.Order("ORD-1", ("LAMP", 10m, 3), ("BULB", 1m, 4));
        first["discount"] = 2m;
        first["total"] = 32m;
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", first, user: "ann"));
        await h.SendAsync(Ev.Track("o2", 60, "Order Completed", Ev.Order("ORD-2", ("BULB", 1m, 2)), user: "ann"));
        var refund = new JsonObject { ["order_id"] = "ORD-1", ["total"] = 10m, ["products"] = new JsonArray(Ev.Product("LAMP", 10m, 1)) };
        await h.SendAsync(Ev.Track("r1", 120, "Order Refunded", refund, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        await v.Costs.RecordAsync(ann, "service", 4m, null, "ticket-1", "phone call");
        var recorded = await v.Costs.RecordAsync(ann, "reward", 1.5m, null, null, null);

        var value = await ValueTestData.ValueAsync(h.Db, ann);

        Assert.Equal((2L, 1L), (value.Orders, value.Returns));
        Assert.Equal(36m, Money.FromStorage(value.RevenueE4)); // 32 + 2 discount, + 2
        Assert.Equal(2m, Money.FromStorage(value.DiscountE4));
        Assert.Equal(10m, Money.FromStorage(value.ReturnsE4));
        Assert.Equal(15m, Money.FromStorage(value.CostE4)); // 3·6 + 4·0.5 + 2·0.5 − 1·6 (the lamp came back)
        Assert.Equal(1.5m, Money.FromStorage(value.RewardCostE4));
        Assert.Equal(4m, Money.FromStorage(value.ServiceCostE4));
        Assert.Equal(3.5m, Money.FromStorage(value.MarginE4)); // 36 − 15 − 2 − 10 − 1.5 − 4
        Assert.Equal(17m, Money.FromStorage(value.AovE4)); // (36 − 2) / 2
        Assert.Equal((Ev.At(0), Ev.At(60)), (UnixTime.FromStorage(value.FirstOrderAt!.Value), UnixTime.FromStorage(value.LastOrderAt!.Value)));
        Assert.Null(value.Tier); // nothing to rank against before the first recomputation
        Assert.Equal(3.5m, recorded!.Value!.Margin);
    }

    [Theory, BothStores]
    public async Task RecordCost_SameReferenceTwice_CountsOnce(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("LAMP", 10m, 1)), user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        var first = await v.Costs.RecordAsync(ann, "shipping", 3m, Ev.At(5), "parcel-9", null);
        var retry = await v.Costs.RecordAsync(ann, "shipping", 3m, Ev.At(5), "parcel-9", null);

        Assert.False(first!.Duplicate);
        Assert.True(retry!.Duplicate);
        Assert.Equal(first.Entry.Id, retry.Entry.Id);
        Assert.Equal(3m, Money.FromStorage((await ValueTestData.ValueAsync(h.Db, ann)).ServiceCostE4));
        Assert.Equal(7m, Money.FromStorage((await ValueTestData.ValueAsync(h.Db, ann)).MarginE4));
    }

    [Theory, BothStores]
    public async Task RecordCost_UnknownCustomerOrKind_NullOrRefused(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);

        Assert.Null(await v.Costs.RecordAsync(424242, "service", 1m, null, null, null));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => v.Costs.RecordAsync(1, "bribe", 1m, null, null, null));
        Assert.Contains("reward, gift, surprise, donation", ex.Message, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task OrderCancelled_AfterCompleted_OrderNoLongerCounts(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("LAMP", 10m, 1)), user: "ann"));
        await h.SendAsync(Ev.Track("o2", 5, "Order Completed", Ev.Order("ORD-2", ("LAMP", 20m, 1)), user: "ann"));
        await h.SendAsync(Ev.Track("c2", 9, "Order Cancelled", new JsonObject { ["order_id"] = "ORD-2" }, user: "ann"));

        var value = await ValueTestData.ValueAsync(h.Db, await h.OwnerAsync(Identifier.UserId, "ann"));

        Assert.Equal(1L, value.Orders);
        Assert.Equal(10m, Money.FromStorage(value.RevenueE4));
        Assert.Equal(Ev.At(0), UnixTime.FromStorage(value.LastOrderAt!.Value));
    }

    [Theory, BothStores]
    public async Task Merge_ThenUndo_OrdersAndCostsFollowTheirCustomer(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("ORD-1", ("LAMP", 10m, 1)), anon: "laptop"));
        await h.SendAsync(Ev.Track("o2", 1, "Order Completed", Ev.Order("ORD-2", ("LAMP", 30m, 1)), anon: "phone"));
        var laptop = await h.OwnerAsync(Identifier.AnonymousId, "laptop");
        var phone = await h.OwnerAsync(Identifier.AnonymousId, "phone");
        await v.Costs.RecordAsync(phone, "service", 5m, null, null, null);

        await h.SendAsync(
            Ev.Identify("i1", 2, new JsonObject { ["email"] = "z@example.com" }, anon: "laptop"),
            Ev.Identify("i2", 3, new JsonObject { ["email"] = "z@example.com" }, anon: "phone"));
        var merged = await h.OwnerAsync(Identifier.AnonymousId, "phone");
        var together = await ValueTestData.ValueAsync(h.Db, merged);

        Assert.Equal(merged, await h.OwnerAsync(Identifier.AnonymousId, "laptop"));
        Assert.Equal((2L, 40m, 5m, 35m), (together.Orders, Money.FromStorage(together.RevenueE4), Money.FromStorage(together.ServiceCostE4), Money.FromStorage(together.MarginE4)));
        Assert.Equal(1L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM customer_value"));

        var merge = Assert.Single(await h.Merges.ForCustomerAsync(merged));
        await h.Merges.UndoAsync(merge.Id);

        var phoneAgain = await ValueTestData.ValueAsync(h.Db, await h.OwnerAsync(Identifier.AnonymousId, "phone"));
        var laptopAgain = await ValueTestData.ValueAsync(h.Db, await h.OwnerAsync(Identifier.AnonymousId, "laptop"));
        Assert.Equal((30m, 5m), (Money.FromStorage(phoneAgain.RevenueE4), Money.FromStorage(phoneAgain.ServiceCostE4)));
        Assert.Equal((10m, 0m), (Money.FromStorage(laptopAgain.RevenueE4), Money.FromStorage(laptopAgain.ServiceCostE4)));
        Assert.Equal(phone, phoneAgain.CustomerId);
        Assert.Equal(laptop, laptopAgain.CustomerId);
    }

    [Theory, BothStores]
    public async Task ImportOrders_OnlineRetailFile_ValueRowsWithAssumedCosts(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var dir = Directory.CreateTempSubdirectory("rapport-value-import-");
        var path = Path.Combine(dir.FullName, "retail.csv");
        await File.WriteAllTextAsync(path,
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
            "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" +
            "536366,22633,WARMER,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\n" +
            "536367,84879,BIRD,32,2010-12-01 08:34:00,1.69,13047.0,United Kingdom\n" +
            "C536379,85123A,HEART,-1,2010-12-01 09:41:00,2.55,17850.0,United Kingdom\n");

        await Importer.RunAsync(h.Writer, h.Identity, h.Events, ImportKind.Orders, path, new ImportOptions { RejectFile = path + ".rejects" });
        var again = await Importer.RunAsync(h.Writer, h.Identity, h.Events, ImportKind.Orders, path, new ImportOptions { RejectFile = path + ".rejects" });

        var value = await ValueTestData.ValueAsync(h.Db, await h.OwnerAsync(Identifier.StoreCustomerNo, "17850"));
        Assert.Equal(0, again.Imported);
        Assert.Equal((2L, 1L), (value.Orders, value.Returns));
        Assert.Equal((26.40m, 2.55m), (Money.FromStorage(value.RevenueE4), Money.FromStorage(value.ReturnsE4)));
        Assert.Equal(14.31m, Money.FromStorage(value.CostE4)); // 60% of price: 6·1.53 + 6·1.11 − 1·1.53
        Assert.Equal(9.54m, Money.FromStorage(value.MarginE4));
        Assert.Equal(2L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM customer_value"));
        dir.Delete(recursive: true);
    }

    [Theory, BothStores]
    public async Task ImportOrders_AssumedCost_IsTheRatioOfThePriceEachLineWasSoldAt(StoreKind store)
    {
        // The product's price becomes the latest one seen (4.00, an anonymous order's); a
        // wholesaler bought it at 1.00. With the cost taken against the list price (60% of 4.00)
        // the wholesaler's 100 units would cost 240 against 100 of revenue.
        await using var h = await CoreHarness.CreateAsync(store);
        var dir = Directory.CreateTempSubdirectory("rapport-value-import-");
        var path = Path.Combine(dir.FullName, "retail.csv");
        await File.WriteAllTextAsync(path,
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
            "1,HEART,HEART,100,2011-01-03 10:00:00,1.00,12346.0,Netherlands\n" +
            "2,HEART,HEART,2,2011-02-03 10:00:00,2.50,17850.0,United Kingdom\n" +
            "C3,HEART,HEART,-10,2011-03-03 10:00:00,1.00,12346.0,Netherlands\n" +
            "4,HEART,HEART,1,2011-04-03 10:00:00,4.00,,United Kingdom\n");

        await Importer.RunAsync(h.Writer, h.Identity, h.Events, ImportKind.Orders, path, new ImportOptions { RejectFile = path + ".rejects" });

        var wholesaler = await ValueTestData.ValueAsync(h.Db, await h.OwnerAsync(Identifier.StoreCustomerNo, "12346"));
        var retail = await ValueTestData.ValueAsync(h.Db, await h.OwnerAsync(Identifier.StoreCustomerNo, "17850"));
        Assert.Equal(24_000L, await ValueTestData.CountAsync(h.Db, "SELECT unit_cost_e4 FROM products WHERE sku = 'HEART'"));
        Assert.Equal(54m, Money.FromStorage(wholesaler.CostE4)); // 60% of 100 · 1.00, less 60% of the 10 returned at 1.00
        Assert.Equal(36m, Money.FromStorage(wholesaler.MarginE4)); // 100 revenue − 10 returned − 54 cost
        Assert.Equal(3m, Money.FromStorage(retail.CostE4)); // 60% of 2 · 2.50
        Assert.Equal(2m, Money.FromStorage(retail.MarginE4));
        dir.Delete(recursive: true);
    }
}
