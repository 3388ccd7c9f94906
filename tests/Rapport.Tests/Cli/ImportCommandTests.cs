using System.CommandLine;
using Microsoft.Data.Sqlite;
using Rapport.Cli;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Cli;

/// <summary>Runs `rapport import ...` in-process through the real command tree, against SQLite files in a temp directory.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rapport-cli-import-" + Guid.NewGuid().ToString("N"));

    public ImportCommandTests() => Directory.CreateDirectory(_dir);

    private string Store => Path.Combine(_dir, "store.db");

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await RapportCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Invoke_MissingFile_Exits2WithOneLineAndNoStore()
    {
        var missing = Path.Combine(_dir, "nope.csv");

        var (exit, _, err) = await RunAsync("import", "orders", missing, "--store", Store);

        Assert.Equal(2, exit);
        Assert.Equal($"rapport import orders: File not found: {missing}", err.TrimEnd());
        Assert.False(File.Exists(Store));
    }

    [Fact]
    public async Task Invoke_RequiredColumnMissing_Exits2ListingColumnsAndMapOption()
    {
        var path = Write("orders.csv", "Ref,Item,Qty,Price,When\n1,A,1,2.5,2024-01-01\n");

        var (exit, _, err) = await RunAsync("import", "orders", path, "--store", Store);

        Assert.Equal(2, exit);
        var line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("rapport import orders: No column for 'order_id'", line);
        Assert.Contains("Columns found: Ref, Item, Qty, Price, When.", line);
        Assert.Contains("--map order_id=COLUMN --map sku=COLUMN --map placed_at=COLUMN", line);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(Store));
    }

    [Fact]
    public async Task Invoke_ColumnsMappedWithMap_Imports()
    {
        var path = Write("orders.csv", "Invoice,Item,Qty,Price,When\n1,A,1,2.5,01/02/2024\n");

        var (exit, output, _) = await RunAsync(
            "import", "orders", path, "--store", Store, "--map", "order_id=Invoice", "--map", "sku=Item", "--map", "placed_at=When",
            "--date-format", "dd/MM/yyyy", "--channel", "phone");

        Assert.Equal(0, exit);
        Assert.Contains("order_id=Invoice, sku=Item, quantity=Qty, unit_price=Price, placed_at=When", output);
        await using var connection = new SqliteConnection($"Data Source={Store};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT channel || ' ' || placed_at FROM orders";
        Assert.Equal($"phone {new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()}", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Invoke_SomeRowsRejected_Exits0AndPrintsCountAndRejectFile()
    {
        var path = Write("orders.csv", "order_id,sku,quantity,unit_price,placed_at\n1,A,1,2.5,2024-01-01\n2,B,x,1,2024-01-01\n3,C,2,1,2024-01-02\n");
        var rejects = Path.Combine(_dir, "rejected.csv");

        var (exit, output, _) = await RunAsync("import", "orders", path, "--store", Store, "--reject-file", rejects);

        Assert.Equal(0, exit);
        Assert.Matches(@"\n  rows read +3\n", output);
        Assert.Matches(@"\n  imported +2\n", output);
        Assert.Contains($"1 rows rejected: see {rejects}", output);
        Assert.Equal(["line,reason,row", "3,quantity 'x' is not a number,\"2,B,x,1,2024-01-01\""], File.ReadAllLines(rejects));
    }

    [Fact]
    public async Task Invoke_SecondRunOfTheSameFile_ReportsEverythingUnchanged()
    {
        var path = Write("customers.csv", "email,name\nann@example.com,Ann\nbob@example.com,Bob\n");

        await RunAsync("import", "customers", path, "--store", Store);
        var (exit, output, _) = await RunAsync("import", "customers", path, "--store", Store);

        Assert.Equal(0, exit);
        Assert.Matches(@"\n  imported +0\n", output);
        Assert.Matches(@"\n  unchanged \(already there\) +2\n", output);
        Assert.Matches(@"\n  customers created +0\n", output);
    }

    [Theory, BothStores]
    public async Task Invoke_OrdersIntoEitherStore_ImportsAndSecondRunIsUnchanged(StoreKind kind)
    {
        await using var db = await TestStores.CreateAsync(kind);
        var path = Write("orders.csv", "order_id,sku,quantity,unit_price,placed_at,email\n1,A,2,2.5,2024-01-01,ann@example.com\n1,B,1,1,2024-01-01,ann@example.com\n");

        var (exit, output, _) = await RunAsync("import", "orders", path, "--store", db.Store);
        var (again, second, _) = await RunAsync("import", "orders", path, "--store", db.Store);

        Assert.Equal((0, 0), (exit, again));
        Assert.Matches(@"\n  orders created +1\n", output);
        Assert.Matches(@"\n  revenue total +6\.00\n", output);
        Assert.Matches(@"\n  unchanged \(already there\) +2\n", second);
        await using var connection = await db.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT total_e4 FROM orders WHERE order_id = '1'";
        Assert.Equal(60_000L, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("--map", "sku")]
    [InlineData("--delimiter", "::")]
    [InlineData("--format", "shopify")]
    public async Task Invoke_BadOption_Exits2WithOneLine(string option, string value)
    {
        var path = Write("orders.csv", "order_id,sku,quantity,unit_price,placed_at\n1,A,1,2.5,2024-01-01\n");

        var (exit, _, err) = await RunAsync("import", "orders", path, "--store", Store, option, value);

        Assert.Equal(2, exit);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("rapport import orders: ", err);
    }

    [Fact]
    public async Task Invoke_DamagedGzip_Exits2()
    {
        var path = Path.Combine(_dir, "orders.csv.gz");
        await File.WriteAllBytesAsync(path, [0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02, 0x03]);

        var (exit, _, err) = await RunAsync("import", "orders", path, "--store", Store);

        Assert.Equal(2, exit);
        Assert.StartsWith("rapport import orders: ", err);
        Assert.DoesNotContain("   at ", err);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS cleans the temp directory.
        }
    }
}
