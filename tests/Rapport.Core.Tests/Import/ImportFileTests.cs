using Rapport.Core.Import;

namespace Rapport.Core.Tests.Import;

public class ImportFileTests
{
    [Fact]
    public async Task Open_GzipContentWithCsvName_IsDetectedByMagicBytes()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var path = store.WriteGzip("orders.csv", "a,b\n1,2\n");

        using var file = ImportFile.Open(path);

        Assert.True(file.IsGzip);
        Assert.Equal("a,b\n1,2\n", await file.Reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Open_PlainContentWithGzName_IsReadAsPlainText()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var path = store.WriteFile("orders.csv.gz", "\uFEFFa,b\n1,2\n");

        using var file = ImportFile.Open(path);

        Assert.False(file.IsGzip);
        Assert.Equal("a,b\n1,2\n", await file.Reader.ReadToEndAsync());
    }

    [Fact]
    public void Open_MissingFile_IsUnusableInput()
    {
        var e = Assert.Throws<ImportInputException>(() => ImportFile.Open("/nonexistent/orders.csv"));

        Assert.Equal("File not found: /nonexistent/orders.csv", e.Message);
    }

    [Fact]
    public async Task Inspect_EmptyFile_IsUnusableInput()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var path = store.WriteFile("empty.csv", "");

        var e = Assert.Throws<ImportInputException>(() => Importer.Inspect(ImportKind.Orders, path, new ImportOptions()));

        Assert.Contains("is empty", e.Message);
    }

    [Fact]
    public async Task Inspect_SemicolonFileReadWithComma_SuggestsDelimiter()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var path = store.WriteFile("orders.csv", "order_id;sku;quantity;unit_price;placed_at\n1;A;1;2;2024-01-01\n");

        var e = Assert.Throws<ImportInputException>(() => Importer.Inspect(ImportKind.Orders, path, new ImportOptions()));
        var preview = Importer.Inspect(ImportKind.Orders, path, new ImportOptions { Delimiter = ';' });

        Assert.Contains("set --delimiter", e.Message);
        Assert.Equal(["order_id", "sku", "quantity", "unit_price", "placed_at"], preview.Columns.Select(c => c.Key));
    }
}
