using Dapper;
using Rapport.Cli;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Cli;

/// <summary>`rapport loyalty expire` through the real command tree.</summary>
public sealed class LoyaltyCommandTests
{
    [Theory, BothStores]
    public async Task LoyaltyExpire_LotsPastTheirDate_ExpiresThemAndPrintsTheCount(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using (var c = await db.OpenAsync())
        {
            // Two lots of a customer long expired, one still valid.
            await c.ExecuteAsync(
                """
                INSERT INTO loyalty_lots (customer_id, recorded_for, kind, points, remaining, expired, reversed, earned_at, expires_at, order_id)
                VALUES (1, 1, 'earn', 100, 100, 0, 0, 0, 1000, NULL), (1, 1, 'earn', 50, 50, 0, 0, 0, 2000, NULL), (1, 1, 'earn', 7, 7, 0, 0, 0, 99999999999999, NULL)
                """);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await RapportCli.RunAsync(["loyalty", "expire", "--store", db.Store], output, error);

        Assert.Equal(0, exit);
        Assert.StartsWith("2 lots expired (150 points)", output.ToString(), StringComparison.Ordinal);
        await using var check = await db.OpenAsync();
        Assert.Equal(7L, await check.ExecuteScalarAsync<long>("SELECT SUM(remaining) FROM loyalty_lots"));
        Assert.Equal(-150L, await check.ExecuteScalarAsync<long>("SELECT SUM(points) FROM loyalty_entries WHERE kind = 'expire'"));
    }

    [Fact]
    public async Task LoyaltyExpire_BadStore_Exit2()
    {
        var error = new StringWriter();

        var exit = await RapportCli.RunAsync(["loyalty", "expire", "--store", "mysql://nope"], new StringWriter(), error);

        Assert.Equal(2, exit);
        Assert.Contains("error:", error.ToString(), StringComparison.Ordinal);
    }
}
