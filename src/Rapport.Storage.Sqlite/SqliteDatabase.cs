using System.Data.Common;
using Microsoft.Data.Sqlite;
using Rapport.Core.Storage;

namespace Rapport.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. synchronous=NORMAL means a commit survives
/// a killed process (the WAL is in the OS page cache) but not a power cut mid-checkpoint; that
/// is the embedded default's documented trade, PostgreSQL is the production store.
/// Checkpoints run in the background (<see cref="WalCheckpointer"/>), not inside commits.
/// </summary>
public sealed class SqliteDatabase : IDatabase
{
    private readonly string _connectionString;
    private readonly WalCheckpointer _checkpointer;

    /// <summary>
    /// SQLite's allocation statistics off (SQLITE_CONFIG_MEMSTATUS, as SQLite recommends for speed):
    /// with them on, every allocation on every connection takes one process-wide mutex, which
    /// parallel bulk readers contend for. Nothing here reads those statistics. Must run before
    /// SQLite initialises; if something opened a connection first, the call is refused and the
    /// statistics simply stay on.
    /// </summary>
    private static readonly bool AllocationStatisticsOff = TurnAllocationStatisticsOff();

    private static bool TurnAllocationStatisticsOff()
    {
        SQLitePCL.Batteries_V2.Init();
        return SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0) == SQLitePCL.raw.SQLITE_OK;
    }

    public SqliteDatabase(string path)
    {
        _ = AllocationStatisticsOff;
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        FilePath = full;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        _checkpointer = new WalCheckpointer(full);
    }

    public string FilePath { get; }

    public SqlDialect Dialect { get; } = new SqliteDialect();

    public string DisplayName => $"sqlite:{FilePath}";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // As PostgreSQL does: enforce foreign keys (SQLite ignores them unless told), and make
        // LIKE case-sensitive (search case-insensitively with lower(x) LIKE lower(@q) on both).
        command.CommandText =
            "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA case_sensitive_like=ON; " +
            "PRAGMA foreign_keys=ON; " +
            "PRAGMA wal_autocheckpoint=0;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>A cursor-only connection without SQLite's per-call mutex (<see cref="SqliteBulkReader"/>).</summary>
    public Task<DbConnection> OpenBulkReaderAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<DbConnection>(SqliteBulkReader.Open(FilePath));
    }

    /// <summary>Closes this file's pooled connections (not other files'), so the file can be moved or deleted.</summary>
    public async ValueTask DisposeAsync()
    {
        await _checkpointer.DisposeAsync();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
