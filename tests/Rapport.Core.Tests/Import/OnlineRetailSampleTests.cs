using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Import;

/// <summary>
/// The whole UCI Online Retail file shipped in samples/ (541,909 rows), against the figures
/// published for it and recomputed independently with Python over the same file
/// (samples/README.md). About 10 s in a Debug build.
/// </summary>
public class OnlineRetailSampleTests
{
    public static string SamplePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "online-retail.csv.gz");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("samples/online-retail.csv.gz not found above " + AppContext.BaseDirectory);
    }

    [Theory, BothStores]
    public async Task RunAsync_FullSample_ReproducesThePublishedFigures(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);

        var summary = await store.ImportAsync(ImportKind.Orders, SamplePath());

        Assert.Equal("online-retail", summary.Format);
        Assert.Equal((541_909L, 541_909L, 0L), (summary.RowsRead, summary.Imported, summary.Rejected));
        Assert.Equal((25_900L, 4_372L, 4_070L), (summary.OrdersCreated, summary.CustomersCreated, summary.ProductsCreated));
        Assert.Equal(9_747_747.934m, summary.Revenue);
        Assert.Equal(25_900, await store.CountAsync("orders"));
        Assert.Equal(541_909, await store.CountAsync("order_lines"));
        Assert.Equal(4_070, await store.CountAsync("products"));
        Assert.Equal(4_372, await store.ScalarAsync<long>("SELECT COUNT(DISTINCT customer_id) FROM orders"));
        Assert.Equal(4_372, await store.CountAsync("customers"));
        Assert.Equal(38, await store.ScalarAsync<long>("SELECT COUNT(DISTINCT country) FROM orders"));
        Assert.Equal(3_836, await store.ScalarAsync<long>("SELECT COUNT(*) FROM orders WHERE kind = 'return'"));
        Assert.Equal(3_710, await store.ScalarAsync<long>("SELECT COUNT(*) FROM orders WHERE customer_id IS NULL AND id_kind IS NULL"));
        Assert.Equal(97_477_479_340, await store.ScalarAsync<long>("SELECT SUM(total_e4) FROM orders"));
        Assert.Equal(-8_968_124_900, await store.ScalarAsync<long>("SELECT SUM(total_e4) FROM orders WHERE kind = 'return'"));
        Assert.Equal(["web"], await store.QueryAsync<string>("SELECT DISTINCT channel FROM orders"));
    }
}
