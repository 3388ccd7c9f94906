using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Import;

public class CustomerImportTests
{
    [Theory, BothStores]
    public async Task RunAsync_IdentifiersAndTraits_CreateLinkedCustomersWithTraits(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("customers.csv",
            "Email,Phone,Customer No,First Name,Country\n" +
            "Ann@Example.com,+44 20 7946 0000,17850.0,Ann,United Kingdom\n" +
            "bob@example.com,,,Bob,\n" +
            ",,,Nobody,France\n" +
            "not-an-email,,,Eve,\n");

        var summary = await store.ImportAsync(ImportKind.Customers, path);
        var ann = await store.ScalarAsync<long>("SELECT customer_id FROM identifiers WHERE kind = 'email' AND value = 'ann@example.com'");
        var annIds = await store.QueryAsync<string>(
            "SELECT kind || ':' || value FROM identifiers WHERE customer_id = @ann ORDER BY kind", new { ann });
        var annTraits = await store.QueryAsync<string>(
            "SELECT name || '=' || value FROM traits WHERE customer_id = @ann ORDER BY name", new { ann });

        Assert.Equal((4L, 2L, 2L, 2L), (summary.RowsRead, summary.Imported, summary.Rejected, summary.CustomersCreated));
        Assert.Equal(["email:ann@example.com", "phone:+442079460000", "store_customer_no:17850"], annIds);
        Assert.Equal(
            ["country=United Kingdom", "email=Ann@Example.com", "firstName=Ann", "phone=+44 20 7946 0000", "storeCustomerNumber=17850"],
            annTraits);
        Assert.Equal(2, await store.CountAsync("customers"));
        Assert.Equal(2, await store.ScalarAsync<long>("SELECT COUNT(*) FROM events WHERE type = 'identify' AND message_id LIKE 'import:customers.csv:%'"));
        var rejects = File.ReadAllLines(summary.RejectFile!);
        Assert.StartsWith("4,\"missing key: no customer identifier (email, phone", rejects[1]);
        Assert.StartsWith("5,email 'not-an-email' is not an email address", rejects[2]);
    }

    [Theory, BothStores]
    public async Task RunAsync_SameFileTwice_SecondRunChangesNothing(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("customers.csv",
            "email,phone,loyalty_card,user_id,name\n" +
            "ann@example.com,+44 1,L-1,u-1,Ann\n" +
            "bob@example.com,,,,Bob\n");

        await store.ImportAsync(ImportKind.Customers, path);
        var before = await store.TableCountsAsync();
        store.Restart();
        var second = await store.ImportAsync(ImportKind.Customers, path);

        Assert.Equal((2L, 0L, 2L, 0L), (second.RowsRead, second.Imported, second.Unchanged, second.CustomersCreated));
        Assert.Equal(before, await store.TableCountsAsync());
        Assert.Equal(1, await store.ScalarAsync<long>("SELECT COUNT(DISTINCT customer_id) FROM identifiers WHERE value IN ('ann@example.com', 'L-1', 'u-1')"));
    }

    [Theory, BothStores]
    public async Task RunAsync_ChangedTrait_UpdatesValueAndAppendsHistory(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        await store.ImportAsync(ImportKind.Customers, store.WriteFile("a.csv", "email,city\nann@example.com,Leeds\n"));

        var second = await store.ImportAsync(ImportKind.Customers, store.WriteFile("b.csv", "email,city\nann@example.com,York\n"));

        Assert.Equal((1L, 0L), (second.Imported, second.CustomersCreated));
        Assert.Equal("York", await store.ScalarAsync<string>("SELECT value FROM traits WHERE name = 'city'"));
        Assert.Equal(["Leeds", "York"], await store.QueryAsync<string>("SELECT value FROM trait_history WHERE name = 'city' ORDER BY id"));
    }

    [Theory, BothStores]
    public async Task RunAsync_RowLinkingTwoKnownCustomers_MergesThemAndKeepsTheirTraits(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        await store.ImportAsync(ImportKind.Customers, store.WriteFile("a.csv", "email,customer_no,city\nann@example.com,,Leeds\n,17850,\n"));

        var second = await store.ImportAsync(ImportKind.Customers, store.WriteFile("b.csv", "email,customer_no,tier\nann@example.com,17850,gold\n"));
        var survivor = await store.ScalarAsync<long>("SELECT customer_id FROM identifiers WHERE kind = 'store_customer_no'");

        Assert.Equal(1, second.Imported);
        Assert.Equal(1, await store.ScalarAsync<long>("SELECT COUNT(DISTINCT customer_id) FROM identifiers"));
        Assert.Equal(1, await store.CountAsync("merges"));
        // The merge rebuilds the survivor's traits from its events: imported ones included.
        Assert.Equal(
            ["city=Leeds", "email=ann@example.com", "storeCustomerNumber=17850", "tier=gold"],
            await store.QueryAsync<string>("SELECT name || '=' || value FROM traits WHERE customer_id = @survivor ORDER BY name", new { survivor }));
    }

    [Theory, BothStores]
    public async Task RunAsync_MapRenamesATraitAndEmptyMapSkipsAColumn(StoreKind kind)
    {
        await using var store = await ImportTestStore.CreateAsync(kind);
        var path = store.WriteFile("c.csv", "Mail,FName,Notes\nann@example.com,Ann,call back\n");

        await store.ImportAsync(ImportKind.Customers, path, new ImportOptions
        {
            Map = new Dictionary<string, string> { ["email"] = "Mail", ["firstName"] = "FName", ["notes"] = "" },
        });

        Assert.Equal(["email=ann@example.com", "firstName=Ann"], await store.QueryAsync<string>("SELECT name || '=' || value FROM traits ORDER BY name"));
    }

    [Fact]
    public async Task Inspect_NoIdentifierColumn_ListsColumnsAndHowToMap()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var path = store.WriteFile("c.csv", "Mail,Name\nann@example.com,Ann\n");

        var e = Assert.Throws<ImportInputException>(() => Importer.Inspect(ImportKind.Customers, path, new ImportOptions()));

        Assert.Contains("No customer identifier column", e.Message);
        Assert.Contains("Columns found: Mail, Name", e.Message);
        Assert.Contains("--map email=COLUMN", e.Message);
    }
}
