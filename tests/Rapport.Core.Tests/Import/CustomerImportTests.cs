using Rapport.Core.Import;

namespace Rapport.Core.Tests.Import;

public class CustomerImportTests
{
    [Fact]
    public async Task RunAsync_IdentifiersAndTraits_CreateLinkedCustomersWithTraits()
    {
        await using var store = await ImportTestStore.CreateAsync();
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
            "SELECT name || '=' || value || '/' || source FROM traits WHERE customer_id = @ann ORDER BY name", new { ann });

        Assert.Equal((4L, 2L, 2L, 2L), (summary.RowsRead, summary.Imported, summary.Rejected, summary.CustomersCreated));
        Assert.Equal(["email:ann@example.com", "phone:+442079460000", "store_customer_no:17850"], annIds);
        Assert.Equal(["country=United Kingdom/import", "first_name=Ann/import"], annTraits);
        Assert.Equal(2, await store.CountAsync("customers"));
        Assert.Equal(3, await store.CountAsync("trait_history"));
        var rejects = File.ReadAllLines(summary.RejectFile!);
        Assert.StartsWith("4,\"missing key: no customer identifier (email, phone", rejects[1]);
        Assert.StartsWith("5,email 'not-an-email' is not an email address", rejects[2]);
    }

    [Fact]
    public async Task RunAsync_SameFileTwice_SecondRunChangesNothing()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var path = store.WriteFile("customers.csv",
            "email,phone,loyalty_card,name\n" +
            "ann@example.com,+44 1,L-1,Ann\n" +
            "bob@example.com,,,Bob\n");

        await store.ImportAsync(ImportKind.Customers, path);
        var before = await store.TableCountsAsync();
        store.Restart();
        var second = await store.ImportAsync(ImportKind.Customers, path);

        Assert.Equal((2L, 0L, 2L, 0L), (second.RowsRead, second.Imported, second.Unchanged, second.CustomersCreated));
        Assert.Equal(before, await store.TableCountsAsync());
    }

    [Fact]
    public async Task RunAsync_ChangedTrait_UpdatesValueAndAppendsHistory()
    {
        await using var store = await ImportTestStore.CreateAsync();
        await store.ImportAsync(ImportKind.Customers, store.WriteFile("a.csv", "email,city\nann@example.com,Leeds\n"));

        var second = await store.ImportAsync(ImportKind.Customers, store.WriteFile("b.csv", "email,city\nann@example.com,York\n"));

        Assert.Equal((1L, 0L), (second.Imported, second.CustomersCreated));
        Assert.Equal("York", await store.ScalarAsync<string>("SELECT value FROM traits WHERE name = 'city'"));
        Assert.Equal(["Leeds", "York"], await store.QueryAsync<string>("SELECT value FROM trait_history ORDER BY id"));
    }

    [Fact]
    public async Task RunAsync_RowLinkingTwoKnownCustomers_MergesThem()
    {
        await using var store = await ImportTestStore.CreateAsync();
        await store.ImportAsync(ImportKind.Customers, store.WriteFile("a.csv", "email,customer_no\nann@example.com,\n,17850\n"));

        var second = await store.ImportAsync(ImportKind.Customers, store.WriteFile("b.csv", "email,customer_no\nann@example.com,17850\n"));

        Assert.Equal(1, second.Imported);
        Assert.Equal(1, await store.ScalarAsync<long>("SELECT COUNT(DISTINCT customer_id) FROM identifiers"));
        Assert.Equal(1, await store.CountAsync("merges"));
    }

    [Fact]
    public async Task RunAsync_MapRenamesATraitAndEmptyMapSkipsAColumn()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var path = store.WriteFile("c.csv", "Mail,FName,Notes\nann@example.com,Ann,call back\n");

        await store.ImportAsync(ImportKind.Customers, path, new ImportOptions
        {
            Map = new Dictionary<string, string> { ["email"] = "Mail", ["first_name"] = "FName", ["notes"] = "" },
        });

        Assert.Equal(["first_name=Ann"], await store.QueryAsync<string>("SELECT name || '=' || value FROM traits"));
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
