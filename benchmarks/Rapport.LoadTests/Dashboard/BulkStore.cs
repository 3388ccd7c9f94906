using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Rapport.Core.Storage;

namespace Rapport.LoadTests.Dashboard;

/// <summary>
/// One SQLite connection for seeding a big store fast: no journal and no sync while seeding (a
/// crash means seeding again, nothing else), a 2 GB page cache, rows bound by position through
/// the store's own bulk insert (<see cref="SqlDialect.BulkInsertAsync"/>), one transaction per
/// <see cref="Chunk"/> rows, and the secondary indexes of the big tables dropped first and built
/// again at the end (one sort per index instead of millions of random b-tree inserts).
/// <see cref="FinishAsync"/> puts the file back in WAL mode, as the server expects it.
/// </summary>
internal sealed class BulkStore : IAsyncDisposable
{
    private const int Chunk = 500_000;

    private readonly SqliteConnection _connection;
    private readonly SqlDialect _dialect;
    private readonly List<string> _dropped = [];

    private BulkStore(SqliteConnection connection, SqlDialect dialect)
    {
        _connection = connection;
        _dialect = dialect;
    }

    public DbConnection Connection => _connection;

    public static async Task<BulkStore> OpenAsync(string path, SqlDialect dialect)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await connection.ExecuteAsync("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000; PRAGMA threads=2;");
        return new BulkStore(connection, dialect);
    }

    /// <summary>Drops the indexes of these tables that are not constraints (kept: primary keys and UNIQUE), to build them again in <see cref="FinishAsync"/>.</summary>
    public async Task DropIndexesAsync(params string[] tables)
    {
        foreach (var table in tables)
        {
            var indexes = (await _connection.QueryAsync<(string Name, string Sql)>(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = @table AND sql IS NOT NULL", new { table })).ToList();
            foreach (var (name, sql) in indexes)
            {
                await _connection.ExecuteAsync($"DROP INDEX {name}");
                _dropped.Add(sql);
            }
        }
    }

    /// <summary>Inserts the rows, committing every <see cref="Chunk"/> rows; returns how many.</summary>
    public async Task<long> InsertAsync(string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        long count = 0;
        foreach (var chunk in rows.Chunk(Chunk))
        {
            await using var transaction = await _connection.BeginTransactionAsync();
            await _dialect.BulkInsertAsync(_connection, transaction, table, columns, chunk);
            await transaction.CommitAsync();
            count += chunk.Length;
        }

        return count;
    }

    public Task<int> ExecuteAsync(string sql, object? parameters = null) => _connection.ExecuteAsync(sql, parameters, commandTimeout: 0);

    /// <summary>Builds the dropped indexes again and turns WAL mode back on.</summary>
    public async Task FinishAsync()
    {
        foreach (var sql in _dropped)
        {
            await _connection.ExecuteAsync(sql, commandTimeout: 0);
        }

        _dropped.Clear();
        await _connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
