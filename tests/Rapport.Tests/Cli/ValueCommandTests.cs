using Rapport.Cli;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Value;

namespace Rapport.Tests.Cli;

/// <summary>`rapport value recompute` and `rapport clv refit` through the real command tree, on real stores.</summary>
public sealed class ValueCommandTests
{
    [Theory, BothStores]
    public async Task ValueRecompute_StoreWithSales_PrintsProgressAndSummary(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await SeedAsync(db, ValueTestData.Simulated(200));

        var (exit, output, error) = await RunAsync("value", "recompute", "--store", db.Store);

        Assert.Equal(0, exit);
        Assert.Contains("value: read 200 customers", error, StringComparison.Ordinal);
        Assert.Matches(@"^200 customers, 200 with orders, 200 rows changed; ", output);
        Assert.Contains("Tiers: platinum 10, gold 30, silver 60, bronze 100", output, StringComparison.Ordinal);
        Assert.Matches(@"Top 20% of buyers: \d+\.\d% of net revenue", output);
    }

    [Theory, BothStores]
    public async Task ClvRefit_SimulatedSales_PrintsTheModelAndWritesAVersion(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await SeedAsync(db, ValueTestData.Simulated(300));

        var (exit, output, error) = await RunAsync("clv", "refit", "--store", db.Store, "--horizon-weeks", "26", "--margin", "0.35");

        Assert.Equal(0, exit);
        Assert.Contains("clv: read ", error, StringComparison.Ordinal);
        Assert.Matches(@"Model 1: BG/NBD r=\d", output);
        Assert.Contains("26-week CLV at 35% margin, 10%/year", output, StringComparison.Ordinal);
        Assert.Equal(1L, await ValueTestData.CountAsync(db, "SELECT COUNT(*) FROM clv_models WHERE status = 'fitted'"));
    }

    [Fact]
    public async Task ClvRefit_TooFewRepeatBuyers_Exit2AndTheFailureIsRecorded()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        var day = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await SeedAsync(db, [new("A", day, 10m), new("B", day, 20m)]);

        var (exit, _, error) = await RunAsync("clv", "refit", "--store", db.Store);

        Assert.Equal(2, exit);
        Assert.Contains("the CLV fit failed (recorded as model 1)", error, StringComparison.Ordinal);
        Assert.Contains("bought again", error, StringComparison.Ordinal);
        Assert.Equal(1L, await ValueTestData.CountAsync(db, "SELECT COUNT(*) FROM clv_models WHERE status = 'failed'"));
    }

    [Fact]
    public async Task ClvRefit_BadOptions_Exit2WithTheOptionName()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);

        var horizon = await RunAsync("clv", "refit", "--store", db.Store, "--horizon-weeks", "0");
        var model = await RunAsync("clv", "refit", "--store", db.Store, "--model", "gamma");

        Assert.Equal(2, horizon.Exit);
        Assert.Contains("--horizon-weeks 0 must be between 1 and 520", horizon.Error, StringComparison.Ordinal);
        Assert.Equal(2, model.Exit);
        Assert.Equal(0L, await ValueTestData.CountAsync(db, "SELECT COUNT(*) FROM clv_models"));
    }

    private static async Task SeedAsync(TestDatabase db, IReadOnlyList<TestSale> sales)
    {
        using var writer = new StoreWriter(db, TimeProvider.System, []);
        await ValueTestData.InsertSalesAsync(writer, sales);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await RapportCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
