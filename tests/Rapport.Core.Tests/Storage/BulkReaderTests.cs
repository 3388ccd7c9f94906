using System.Text;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Storage;

/// <summary>
/// IDatabase.OpenBulkReaderAsync: the recomputations' cursor-only read connections. On SQLite
/// they run without SQLite's per-call mutex, so they must refuse anything but cursors.
/// </summary>
public sealed class BulkReaderTests
{
    private const int Rows = 5_000;

    [Theory, BothStores]
    public async Task Cursor_OnABulkReader_ReadsEveryCommittedValue(StoreKind store)
    {
        await using var db = await CreateAsync(store);

        await using var reader = await db.OpenBulkReaderAsync();
        using var r = db.Dialect.OpenCursor(reader, null, "SELECT id, name, ratio FROM scratch WHERE id <= @last ORDER BY id", ("last", 3L));
        var rows = new List<string>();
        while (r.Read())
        {
            rows.Add($"{r.GetInt64(0)}:{(r.IsNull(1) ? "null" : Encoding.UTF8.GetString(r.GetUtf8(1)))}:{r.GetDouble(2)}");
        }

        Assert.Equal(["1:name 1 é:0.5", "2:name 2 é:1", "3:null:1.5"], rows);
    }

    [Theory, BothStores]
    public async Task BulkReaders_LendTheSameReaderAgain_OpenAnotherOnlyWhenAllAreOut_AndCloseThemAll(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        System.Data.Common.DbConnection first, second, again;
        await using (var readers = new BulkReaders(db))
        {
            first = await readers.TakeAsync(CancellationToken.None);
            second = await readers.TakeAsync(CancellationToken.None); // the first is still out
            readers.Return(first);
            again = await readers.TakeAsync(CancellationToken.None);

            Assert.NotSame(first, second);
            Assert.Same(first, again);
            using var r = db.Dialect.OpenCursor(again, null, "SELECT COUNT(*) FROM scratch");
            Assert.True(r.Read());
            Assert.Equal(Rows, r.GetInt64(0));
        }

        Assert.Equal(System.Data.ConnectionState.Closed, first.State);
        Assert.Equal(System.Data.ConnectionState.Closed, second.State);
    }

    [Theory, BothStores]
    public async Task ManyBulkReaders_OnTheirOwnThreads_EachReadsTheWholeTable(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        const long expected = (long)Rows * (Rows + 1) / 2;

        // Eight readers on thread-pool threads at once, several rounds each: what the needs
        // recomputation does on every core. Each sum must be the table's.
        var sums = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var total = 0L;
            for (var round = 0; round < 5; round++)
            {
                await using var reader = await db.OpenBulkReaderAsync();
                using var r = db.Dialect.OpenCursor(reader, null, "SELECT id, name FROM scratch");
                while (r.Read())
                {
                    total += r.GetInt64(0);
                    _ = r.IsNull(1) ? 0 : r.GetUtf8(1).Length;
                }
            }

            return total;
        })));

        Assert.All(sums, sum => Assert.Equal(5 * expected, sum));
    }

    [Fact]
    public async Task Sqlite_BulkReader_RefusesCommands_SayingWhatToOpenInstead()
    {
        await using var db = await CreateAsync(StoreKind.Sqlite);
        await using var reader = await db.OpenBulkReaderAsync();

        // Dapper goes through CreateCommand: refused before anything runs on the no-mutex connection.
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch"));

        Assert.Contains("only serves cursors", error.Message, StringComparison.Ordinal);
        Assert.Contains("IDatabase.OpenAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sqlite_BulkReader_RefusesWrites_AndTheRowsStay()
    {
        await using var db = await CreateAsync(StoreKind.Sqlite);

        await using (var reader = await db.OpenBulkReaderAsync())
        {
            var error = Assert.ThrowsAny<Exception>(() =>
            {
                using var r = db.Dialect.OpenCursor(reader, null, "DELETE FROM scratch");
                r.Read();
            });
            Assert.Contains("readonly", error.Message, StringComparison.OrdinalIgnoreCase);
        }

        await using var c = await db.OpenAsync();
        Assert.Equal(Rows, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch"));
    }

    [Fact]
    public async Task Sqlite_AllocationStatistics_AreOff_SoNoProcessWideMutexPerAllocation()
    {
        await using var db = await CreateAsync(StoreKind.Sqlite);
        await using var reader = await db.OpenBulkReaderAsync();
        using (var r = db.Dialect.OpenCursor(reader, null, "SELECT name FROM scratch ORDER BY name DESC"))
        {
            Assert.True(r.Read());
        }

        // With SQLITE_CONFIG_MEMSTATUS on (SQLite's default) this counts every byte SQLite holds,
        // behind one mutex for the whole process; off, it stays 0.
        Assert.Equal(0, SQLitePCL.raw.sqlite3_memory_used());
    }

    private static async Task<TestDatabase> CreateAsync(StoreKind store)
    {
        var db = await TestStores.CreateEmptyAsync(store);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("CREATE TABLE scratch (id BIGINT PRIMARY KEY, name TEXT NULL, ratio DOUBLE PRECISION NOT NULL)");
        await using var tx = await c.BeginTransactionAsync();
        await c.ExecuteAsync(
            "INSERT INTO scratch (id, name, ratio) VALUES (@Id, @Name, @Ratio)",
            Enumerable.Range(1, Rows).Select(i => new { Id = (long)i, Name = i % 3 == 0 ? null : $"name {i} é", Ratio = i * 0.5 }),
            tx);
        await tx.CommitAsync();
        return db;
    }
}
