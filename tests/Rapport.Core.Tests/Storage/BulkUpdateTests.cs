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
        await SeedAsync(c);

        long changed;
        await using (var tx = await c.BeginTransactionAsync())
        {
            changed = await db.Dialect.BulkUpdateAsync(c, tx, "bu", "k", ["n", "t", "d"],
            [
                [1L, 11L, "x", 0.25],
                [3L, null, null, null],
                [4L, 40L, "new", 4.5],
            ]);
            await tx.CommitAsync();
        }

        Assert.Equal(2, changed);
        Assert.Equal(
            [(1L, (long?)11L, "x", (double?)0.25, 7L), (2L, 20L, "b", 1.5, 8L), (3L, null, null, null, 9L)],
            await RowsAsync(c));
    }

    [Theory, BothStores]
    public async Task BulkUpdate_OnlyWhereDifferent_LeavesEqualRowsAlone(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var c = await db.OpenAsync();
        await SeedAsync(c);
        await c.ExecuteAsync("UPDATE bu SET t = NULL WHERE k = 2");

        long changed;
        await using (var tx = await c.BeginTransactionAsync())
        {
            // keep is set on every row but only n and t are compared: row 1 and 2 are equal there.
            changed = await db.Dialect.BulkUpdateAsync(c, tx, "bu", "k", ["n", "t", "keep"],
            [
                [1L, 10L, "a", 70L],
                [2L, 20L, null, 80L],
                [3L, 31L, "c", 90L],
            ],
            onlyWhereDifferent: ["n", "t"]);
            await tx.CommitAsync();
        }

        Assert.Equal(1, changed);
        Assert.Equal([7L, 8L, 90L], (await RowsAsync(c)).Select(r => r.Keep));
    }

    [Theory, BothStores]
    public async Task BulkUpdate_ComparedColumnNotSet_Throws(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var c = await db.OpenAsync();
        await SeedAsync(c);
        await using var tx = await c.BeginTransactionAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => db.Dialect.BulkUpdateAsync(c, tx, "bu", "k", ["n"], [[1L, 2L]], ["t"]));

        Assert.Contains("not among the columns set", ex.Message, StringComparison.Ordinal);
    }

    private static Task SeedAsync(System.Data.Common.DbConnection c) => c.ExecuteAsync(
        """
        CREATE TABLE bu (k BIGINT PRIMARY KEY, n BIGINT NULL, t TEXT NULL, d DOUBLE PRECISION NULL, keep BIGINT NOT NULL);
        INSERT INTO bu (k, n, t, d, keep) VALUES (1, 10, 'a', 0.5, 7), (2, 20, 'b', 1.5, 8), (3, 30, 'c', 2.5, 9);
        """);

    private static async Task<List<(long K, long? N, string? T, double? D, long Keep)>> RowsAsync(System.Data.Common.DbConnection c) =>
        (await c.QueryAsync<(long K, long? N, string? T, double? D, long Keep)>("SELECT k, n, t, d, keep FROM bu ORDER BY k")).ToList();
}
