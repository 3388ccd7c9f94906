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
    /// SQLite's multi-thread mode instead of its default, serialized: no mutex taken and released
    /// around every call on a connection (each step and each column read), which was 4-6% of the
    /// CPU of a bulk recomputation. It is safe because a connection, like every ADO.NET
    /// connection, is used by one thread at a time here (readers that work at once each open
    /// their own); sqlite3_interrupt, which cancellation calls from another thread, takes no
    /// mutex in either mode. It must be set before SQLite initialises, so it is set on first
    /// use of this class; if something opened SQLite before (it cannot be changed then), SQLite
    /// stays serialized, which is slower, never wrong.
    /// </summary>
    public static bool MultiThreadMode { get; } = SetMultiThreadMode();

    private static bool SetMultiThreadMode()
    {
        SQLitePCL.Batteries_V2.Init();
        return SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD) == SQLitePCL.raw.SQLITE_OK;
    }

    public SqliteDatabase(string path)
    {
        _ = MultiThreadMode;
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

    /// <summary>Closes this file's pooled connections (not other files'), so the file can be moved or deleted.</summary>
    public async ValueTask DisposeAsync()
    {
        await _checkpointer.DisposeAsync();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
