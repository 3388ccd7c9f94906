using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Import;

public class OrderImportTests
{
    private const string Header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    [Theory, BothStores]
    public async Task RunAsync_BadRows_AreListedWithLineAndReasonAndGoodRowsAfterThemImported(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("retail.csv", Header +
            "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" + // line 2
            "536365,71053,LANTERN,six,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n" + // line 3: bad quantity
            "536366,22633,\"HAND WARMER, UNION JACK\",6,2010-12-01 08:28:00,1.85,17850.0\n" + // line 4: 7 fields
            "536367,84879,BIRD,32,1 Dec 2010,1.69,13047.0,United Kingdom\n" + // line 5: bad date
            ",22745,HOUSE,6,2010-12-01 08:34:00,2.1,13047.0,United Kingdom\n" + // line 6: no order id
            "536367,22748,POPPY,6,2010-12-01 08:34:00,2.1,13047.0,United Kingdom\n"); // line 7: good

        var summary = await store.ImportAsync(ImportKind.Orders, path);

        Assert.Equal((6L, 2L, 0L, 4L), (summary.RowsRead, summary.Imported, summary.Unchanged, summary.Rejected));
        Assert.Equal(2, await store.CountAsync("order_lines"));
        Assert.Equal(2, await store.CountAsync("orders"));
        Assert.Equal(15.3m + 12.6m, summary.Revenue);
        var rejects = File.ReadAllLines(summary.RejectFile!);
        Assert.Equal(
            [
                "line,reason,row",
                "3,quantity 'six' is not a number,\"536365,71053,LANTERN,six,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\"",
                "4,\"expected 8 fields, found 7\",\"536366,22633,\"\"HAND WARMER, UNION JACK\"\",6,2010-12-01 08:28:00,1.85,17850.0\"",
                "5,placed_at '1 Dec 2010' is not a date in the format yyyy-MM-dd HH:mm:ss or yyyy-MM-dd'T'HH:mm:ss or yyyy-MM-dd HH:mm (or another ISO 8601 form); set --date-format,\"536367,84879,BIRD,32,1 Dec 2010,1.69,13047.0,United Kingdom\"",
                "6,missing order_id,\",22745,HOUSE,6,2010-12-01 08:34:00,2.1,13047.0,United Kingdom\"",
            ],
            rejects);
    }

    [Theory, BothStores]
    public async Task RunAsync_FixedRejectedRowReimported_TakesItsOwnLineNumber(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var bad = store.WriteFile("bad.csv", Header +
            "1,A,X,1,2010-12-01 08:26:00,1,,UK\n" +
            "1,B,X,one,2010-12-01 08:26:00,2,,UK\n" +
            "1,C,X,1,2010-12-01 08:26:00,4,,UK\n");
        var fixedFile = store.WriteFile("fixed.csv", Header +
            "1,A,X,1,2010-12-01 08:26:00,1,,UK\n" +
            "1,B,X,1,2010-12-01 08:26:00,2,,UK\n" +
            "1,C,X,1,2010-12-01 08:26:00,4,,UK\n");

        await store.ImportAsync(ImportKind.Orders, bad);
        var second = await store.ImportAsync(ImportKind.Orders, fixedFile);

        Assert.Equal((1L, 2L), (second.Imported, second.Unchanged));
        Assert.Equal(["1:A", "2:B", "3:C"], await store.QueryAsync<string>("SELECT line_no || ':' || sku FROM order_lines ORDER BY line_no"));
        Assert.Equal(70_000, await store.ScalarAsync<long>("SELECT total_e4 FROM orders WHERE order_id = '1'"));
    }

    [Theory, BothStores]
    public async Task RunAsync_SameFileTwice_SecondRunChangesNothing(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteGzip("retail.csv.gz", Header +
            "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" +
            "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n" +
            "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n" +
            "536544,21773,BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom\n" +
            "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom\n");

        var first = await store.ImportAsync(ImportKind.Orders, path);
        var countsAfterFirst = await store.TableCountsAsync();
        var totalsAfterFirst = await store.QueryAsync<string>("SELECT order_id || ':' || total_e4 FROM orders ORDER BY order_id");
        store.Restart();
        var second = await store.ImportAsync(ImportKind.Orders, path);

        Assert.Equal((5L, 5L, 0L), (first.RowsRead, first.Imported, first.Unchanged));
        Assert.Equal((4L, 2L, 5L), (first.OrdersCreated, first.CustomersCreated, first.ProductsCreated));
        Assert.Equal((5L, 0L, 5L, 0L), (second.RowsRead, second.Imported, second.Unchanged, second.Rejected));
        Assert.Equal((0L, 0L, 0L, 0L, 0m), (second.OrdersCreated, second.CustomersCreated, second.ProductsCreated, second.ProductsUpdated, second.Revenue));
        Assert.Equal(countsAfterFirst, await store.TableCountsAsync());
        Assert.Equal(totalsAfterFirst, await store.QueryAsync<string>("SELECT order_id || ':' || total_e4 FROM orders ORDER BY order_id"));
    }

    [Theory, BothStores]
    public async Task RunAsync_OnlineRetailRows_StoreKindCustomerAnonymousAndChannel(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("retail.csv", Header +
            "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" +
            "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n" +
            "536544,21773,BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom\n");

        var summary = await store.ImportAsync(ImportKind.Orders, path);
        var orders = await store.QueryAsync<(string, string, long?, string?, string?, string, string?, string?)>(
            "SELECT order_id, kind, customer_id, id_kind, id_value, channel, currency, country FROM orders ORDER BY order_id");
        var owner = await store.ScalarAsync<long>("SELECT customer_id FROM identifiers WHERE kind = 'store_customer_no' AND value = '17850'");

        Assert.Equal("online-retail", summary.Format);
        Assert.Equal(("536365", "sale", (long?)owner, "store_customer_no", "17850", "web", "GBP", "United Kingdom"), orders[0]);
        Assert.Equal(("536544", "sale", null, null, null, "web", "GBP", "United Kingdom"), orders[1]);
        Assert.Equal("return", orders[2].Item2);
        Assert.Equal(-275_000, await store.ScalarAsync<long>("SELECT total_e4 FROM orders WHERE order_id = 'C536379'"));
        Assert.Equal(new DateTimeOffset(2010, 12, 1, 8, 26, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            await store.ScalarAsync<long>("SELECT created_at FROM customers WHERE id = @owner", new { owner }));
    }

    [Theory, BothStores]
    public async Task RunAsync_OrderSplitAcrossBatchesAndFiles_TotalsCoverEveryLine(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var first = store.WriteFile("a.csv", "order_id,sku,quantity,unit_price,placed_at,email\n" +
            "1,A,1,10,2024-01-01 10:00:00,ann@example.com\n" +
            "2,A,1,10,2024-01-01 10:00:00,bob@example.com\n" +
            "1,B,2,5,2024-01-01 10:00:00,ann@example.com\n" +
            "3,A,1,10,2024-01-01 10:00:00,\n" +
            "1,C,1,1,2024-01-01 10:00:00,ann@example.com\n");

        var summary = await store.ImportAsync(ImportKind.Orders, first, new ImportOptions { BatchSize = 1 });

        Assert.Equal((5L, 3L, 2L), (summary.Imported, summary.OrdersCreated, summary.CustomersCreated));
        Assert.Equal(210_000, await store.ScalarAsync<long>("SELECT total_e4 FROM orders WHERE order_id = '1'"));
        Assert.Equal([1L, 2, 3], await store.QueryAsync<long>("SELECT line_no FROM order_lines WHERE order_id = '1' ORDER BY line_no"));
        Assert.Equal("store", await store.ScalarAsync<string>("SELECT channel FROM orders WHERE order_id = '1'"));
        Assert.Null(await store.ScalarAsync<string?>("SELECT unit_cost_e4 FROM products WHERE sku = 'A'"));
    }

    [Theory, BothStores]
    public async Task RunAsync_ProductsFromOrders_TakeLatestPositivePriceAndAssumedCost(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("retail.csv", Header +
            "1,85123A,OLD NAME,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" +
            "2,85123A,HEART,6,2011-06-01 08:26:00,2.95,17850.0,United Kingdom\n" +
            "3,85123A,damaged,-6,2011-07-01 08:26:00,0,,United Kingdom\n" +
            "C4,85123A,HEART,-1,2011-08-01 08:26:00,3.10,17850.0,United Kingdom\n" +
            "5,POST,,1,2011-08-01 08:26:00,0,,United Kingdom\n");

        var summary = await store.ImportAsync(ImportKind.Orders, path);
        var heart = (await store.QueryAsync<(string, long, long, long)>(
            "SELECT name, price_e4, unit_cost_e4, unit_cost_assumed FROM products WHERE sku = '85123A'")).Single();
        var post = (await store.QueryAsync<(string, long?)>("SELECT name, price_e4 FROM products WHERE sku = 'POST'")).Single();

        Assert.Equal(2, summary.ProductsCreated);
        Assert.Equal(("HEART", 29_500L, 17_700L, 1L), heart);
        Assert.Equal(("POST", (long?)null), post);
    }

    [Theory, BothStores]
    public async Task RunAsync_LaterOrderFile_UpdatesPriceButNotCatalogNameOrGivenCost(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var catalog = store.WriteFile("products.csv", "sku,name,price,unit_cost\nA,Catalog name,10,4\n");
        var later = store.WriteFile("orders.csv", "order_id,sku,description,quantity,unit_price,placed_at\n1,A,Order text,1,12,2099-01-01\n");
        var older = store.WriteFile("old.csv", "order_id,sku,description,quantity,unit_price,placed_at\n2,A,Order text,1,8,2001-01-01\n");

        await store.ImportAsync(ImportKind.Products, catalog);
        var olderRun = await store.ImportAsync(ImportKind.Orders, older);
        var laterRun = await store.ImportAsync(ImportKind.Orders, later);
        var product = (await store.QueryAsync<(string, long, long, long)>(
            "SELECT name, price_e4, unit_cost_e4, unit_cost_assumed FROM products WHERE sku = 'A'")).Single();

        Assert.Equal(0, olderRun.ProductsUpdated);
        Assert.Equal(1, laterRun.ProductsUpdated);
        Assert.Equal(("Catalog name", 120_000L, 40_000L, 0L), product);
    }
}
