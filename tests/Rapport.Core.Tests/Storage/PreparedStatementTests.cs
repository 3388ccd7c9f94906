using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Storage;

/// <summary>UnitOfWork.Statement and ValueList behave the same on both stores.</summary>
public sealed class PreparedStatementTests
{
    private const string Table = "CREATE TABLE scratch (id {id}, name TEXT NULL, n BIGINT NULL)";

    [Theory, BothStores]
    public async Task Statement_ReusedWithNewValues_InsertsEveryRowAndReturnsTheirIds(StoreKind store)
    {
        await using var db = await CreateAsync(store);

        var ids = await WriteAsync(db, async unit =>
        {
            var insert = unit.Statement("INSERT INTO scratch (name, n) VALUES (@name, @n) RETURNING id", "@name", "@n");
            var result = new List<long>();
            foreach (var (name, n) in new[] { ("a", 1L), ("b", 2L), ("c", 3L) })
            {
                result.Add(Convert.ToInt64(await insert.ScalarAsync(name, n), System.Globalization.CultureInfo.InvariantCulture));
            }

            return result;
        });

        await using var c = await db.OpenAsync();
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(["a:1", "b:2", "c:3"], await c.QueryAsync<string>("SELECT name || ':' || CAST(n AS TEXT) FROM scratch ORDER BY id"));
    }

    [Theory, BothStores]
    public async Task Statement_EmptyStringAndNull_StoredAsEmptyAndNull(StoreKind store)
    {
        await using var db = await CreateAsync(store);

        var changed = await WriteAsync(db, async unit =>
        {
            var insert = unit.Statement("INSERT INTO scratch (name, n) VALUES (@name, @n)", "@name", "@n");
            return await insert.ExecuteAsync("", 1L) + await insert.ExecuteAsync(null, 2L);
        });

        await using var c = await db.OpenAsync();
        Assert.Equal(2, changed);
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch WHERE name = ''"));
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch WHERE name IS NULL"));
    }

    [Theory, BothStores]
    public async Task Statement_ValueListOfTextAndNumbers_MatchesOnlyListedRows(StoreKind store)
    {
        await using var db = await CreateAsync(store);

        var (byName, byNumber) = await WriteAsync(db, async unit =>
        {
            var insert = unit.Statement("INSERT INTO scratch (name, n) VALUES (@name, @n)", "@name", "@n");
            for (var i = 0; i < 50; i++)
            {
                await insert.ExecuteAsync($"row {i}", (long)i);
            }

            var names = await unit.Statement($"SELECT n FROM scratch WHERE name IN {ValueList.Sql(unit.Dialect, "@names")} ORDER BY n", "@names")
                .QueryAsync(ValueList.Of(unit.Dialect, ["row 3", "row 7", "nobody", "it's \"quoted\""]));
            var numbers = await unit.Statement($"SELECT name FROM scratch WHERE n IN {ValueList.Sql(unit.Dialect, "@ns")} ORDER BY n", "@ns")
                .QueryAsync(ValueList.Of(unit.Dialect, new long[] { 10, 40, 99 }));
            return (names.Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToList(), numbers.Select(r => (string)r[0]!).ToList());
        });

        Assert.Equal([3L, 7L], byName);
        Assert.Equal(["row 10", "row 40"], byNumber);
    }

    [Fact]
    public async Task Statement_ParametersNotInOrderOfAppearance_ThrowsOnSqlite()
    {
        await using var db = await CreateAsync(StoreKind.Sqlite);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(db, unit =>
            Task.FromResult(unit.Statement("INSERT INTO scratch (name, n) VALUES (@name, @n)", "@n", "@name"))));

        Assert.Contains("order they first appear", error.Message, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_EmptyString_StoredAsEmptyNotNull(StoreKind store)
    {
        await using var db = await CreateAsync(store);

        await WriteAsync(db, async unit =>
        {
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "scratch", ["name", "n"], [["", 1L], [null, 2L], ["x", 3L]]);
            return 0;
        });

        await using var c = await db.OpenAsync();
        Assert.Equal(["", null, "x"], await c.QueryAsync<string?>("SELECT name FROM scratch ORDER BY n"));
    }

    [Theory, BothStores]
    public async Task Statement_QueryAndScalar_ReadEveryRowsValuesBack(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        var longText = "a name longer than twenty-four bytes, with ü and €";

        var (rows, scalar, again) = await WriteAsync(db, async unit =>
        {
            var insert = unit.Statement("INSERT INTO scratch (name, n) VALUES (@name, @n)", "@name", "@n");
            foreach (var (name, n) in new (string?, long?)[] { ("earn", 5), ("earn", 5_000_000_000), (null, -3), (longText, null), ("redeem", 1024), ("earn", 1025) })
            {
                await insert.ExecuteAsync(name, n);
            }

            // Short texts and small numbers come back as shared objects on SQLite: every row must still hold its own values.
            var query = unit.Statement("SELECT n, name FROM scratch WHERE id > @after ORDER BY id", "@after");
            var all = await query.QueryAsync(0L);
            var first = await unit.Statement("SELECT name FROM scratch WHERE n IS NOT NULL ORDER BY id DESC", []).ScalarAsync();
            return (all, first, await query.QueryAsync(1L));
        });

        static string Show(IEnumerable<object?[]> rows) => string.Join("; ", rows.Select(r => $"{(r[0] is null ? "null" : Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture))} {r[1] ?? "null"}"));
        Assert.Equal($"5 earn; 5000000000 earn; -3 null; null {longText}; 1024 redeem; 1025 earn", Show(rows));
        Assert.Equal("earn", scalar);
        Assert.Equal($"5000000000 earn; -3 null; null {longText}; 1024 redeem; 1025 earn", Show(again));
    }

    private static async Task<TestDatabase> CreateAsync(StoreKind store)
    {
        var db = await TestStores.CreateAsync(store);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(db.Dialect.Ddl(Table));
        return db;
    }

    private static async Task<T> WriteAsync<T>(TestDatabase db, Func<UnitOfWork, Task<T>> work)
    {
        using var writer = new StoreWriter(db, new FakeTimeProvider(), []);
        return await writer.WriteAsync(work);
    }
}
