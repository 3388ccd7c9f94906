using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Storage;

/// <summary>SqlDialect.BulkUpdateAsync: the same result on both stores.</summary>
public sealed class BulkUpdateTests
{
    [Theory, BothStores]
    public async Task BulkUpdate_KnownUnknownAndNullValues_UpdatesOnlyStoredKeys(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("CREATE TABLE bu (k BIGINT PRIMARY KEY, n BIGINT NULL, t TEXT NULL, d DOUBLE PRECISION NULL, keep BIGINT NOT NULL)");
        await c.ExecuteAsync("INSERT INTO bu (k, n, t, d, keep) VALUES (1, 10, 'a', 0.5, 7), (2, 20, 'b', 1.5, 8), (3, 30, 'c', 2.5, 9)");

        await using (var tx = await c.BeginTransactionAsync())
        {
            await db.Dialect.BulkUpdateAsync(c, tx, "bu", "k", ["n", "t", "d"],
            [
                [1L, 11L, "x", 0.25],
                [3L, null, null, null],
                [4L, 40L, "new", 4.5],
            ]);
            await tx.CommitAsync();
        }

        var rows = (await c.QueryAsync<(long K, long? N, string? T, double? D, long Keep)>("SELECT k, n, t, d, keep FROM bu ORDER BY k")).ToList();
        Assert.Equal(
            [(1L, (long?)11L, "x", (double?)0.25, 7L), (2L, 20L, "b", 1.5, 8L), (3L, null, null, null, 9L)],
            rows);
    }
}
