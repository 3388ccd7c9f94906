using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Import;

public class ProductImportTests
{
    [Theory, BothStores]
    public async Task RunAsync_Catalog_CreatesProductsWithMoneyInTenThousandths(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("products.csv",
            "sku;name;category;price;cost;currency;in_stock\n" +
            "A;Heart holder;Home;2.55;1.0005;gbp;yes\n" +
            "B;Lantern;;3.39;;;0\n" +
            "C;;Home;1;;;\n" +
            "D;Bad;Home;1.2.3;;;\n");

        var summary = await store.ImportAsync(ImportKind.Products, path, new ImportOptions { Delimiter = ';' });
        var rows = await store.QueryAsync<(string, string, string?, long?, long?, string?, long, long)>(
            "SELECT sku, name, category, price_e4, unit_cost_e4, currency, available, unit_cost_assumed FROM products ORDER BY sku");

        Assert.Equal((4L, 2L, 2L, 2L), (summary.RowsRead, summary.Imported, summary.Rejected, summary.ProductsCreated));
        Assert.Equal(("A", "Heart holder", "Home", 25_500L, 10_005L, "GBP", 1L, 0L), rows[0]);
        Assert.Equal(("B", "Lantern", (string?)null, 33_900L, (long?)null, (string?)null, 0L, 0L), rows[1]);
        Assert.Equal(["line,reason,row", "4,missing name,C;;Home;1;;;", "5,price '1.2.3' is not a number,D;Bad;Home;1.2.3;;;"],
            File.ReadAllLines(summary.RejectFile!));
    }

    [Theory, BothStores]
    public async Task RunAsync_SameFileTwice_SecondRunChangesNothing(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("products.csv", "sku,name,price\nA,Heart,2.55\nB,Lantern,3.39\n");

        await store.ImportAsync(ImportKind.Products, path);
        var before = await store.QueryAsync<string>("SELECT sku || name || price_e4 || updated_at || price_at FROM products ORDER BY sku");
        var second = await store.ImportAsync(ImportKind.Products, path);

        Assert.Equal((2L, 0L, 2L, 0L, 0L), (second.RowsRead, second.Imported, second.Unchanged, second.ProductsCreated, second.ProductsUpdated));
        Assert.Equal(before, await store.QueryAsync<string>("SELECT sku || name || price_e4 || updated_at || price_at FROM products ORDER BY sku"));
    }

    [Theory, BothStores]
    public async Task RunAsync_PartialFile_UpdatesOnlyGivenValues(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        await store.ImportAsync(ImportKind.Products, store.WriteFile("a.csv", "sku,name,category,price\nA,Heart,Home,2.55\n"));

        var second = await store.ImportAsync(ImportKind.Products, store.WriteFile("b.csv", "sku,name,price\nA,Heart,2.95\n"));

        Assert.Equal(1, second.ProductsUpdated);
        Assert.Equal(("Home", 29_500L), (await store.QueryAsync<(string, long)>("SELECT category, price_e4 FROM products")).Single());
    }
}
