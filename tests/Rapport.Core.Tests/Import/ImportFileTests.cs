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

    [Fact]
    public async Task RunAsync_GzipDamagedMidFile_ThrowsInvalidDataAndKeepsEarlierBatches()
    {
        await using var store = await ImportTestStore.CreateAsync();
        var rows = string.Concat(Enumerable.Range(1, 20_000).Select(i => $"{i},SKU{i % 97},1,{i % 13}.5,2024-01-01 10:00:00\n"));
        var path = store.WriteGzip("orders.csv.gz", "order_id,sku,quantity,unit_price,placed_at\n" + rows);
        var bytes = await File.ReadAllBytesAsync(path);
        for (var i = bytes.Length * 2 / 3; i < bytes.Length - 8; i++)
        {
            bytes[i] = 0xFF;
        }

        await File.WriteAllBytesAsync(path, bytes);

        await Assert.ThrowsAnyAsync<InvalidDataException>(() => store.ImportAsync(ImportKind.Orders, path, new ImportOptions { BatchSize = 1000 }));
        Assert.InRange(await store.CountAsync("order_lines"), 1000, 19_999);
    }
}
