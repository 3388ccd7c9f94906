using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Rapport.Storage.Sqlite;

/// <summary>
/// A read connection for bulk recomputation, opened straight through SQLite's API with
/// SQLITE_OPEN_NOMUTEX: SQLite then takes no mutex around each call on it (step, every column
/// read), which cut a million-customer needs recomputation's CPU by about a fifth. That is only
/// safe when nothing else can touch the connection from another thread, so it serves nothing but
/// <see cref="SqliteCursor"/>s (no ADO.NET commands: an undisposed command's statements are
/// finalized on the GC's finalizer thread, which on a no-mutex connection corrupts SQLite, see
/// SQLitePCL.raw issue 430). Cursors hold a reference on their statement, so even a cursor that
/// is never disposed is never finalized under a reader's feet. Every other connection stays in
/// SQLite's default, serialized mode. Writes are refused (query_only).
/// </summary>
internal sealed class SqliteBulkReader : DbConnection
{
    private sqlite3? _db;

    private SqliteBulkReader(string path, sqlite3 db)
    {
        DataSource = path;
        _db = db;
    }

    public static SqliteBulkReader Open(string path)
    {
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX, null);
        try
        {
            Check(rc, db);
            // As SqliteDatabase's own connections are set up, so queries plan and compare the same;
            // query_only because nothing here may write (the writer holds the store's one write lock).
            Check(raw.sqlite3_exec(
                db,
                "PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA case_sensitive_like=ON; PRAGMA query_only=ON;"),
                db);
            return new SqliteBulkReader(path, db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>The open handle; a cursor on a closed reader is a bug in the caller.</summary>
    internal sqlite3 Handle => _db ?? throw new InvalidOperationException("This bulk read connection is closed.");

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string ConnectionString
    {
        get => $"Data Source={DataSource}";
        set => throw new NotSupportedException("A bulk read connection is opened by SqliteDatabase.OpenBulkReaderAsync.");
    }

    public override string Database => "main";

    public override string DataSource { get; }

    public override string ServerVersion => raw.sqlite3_libversion().utf8_to_string();

    public override ConnectionState State => _db is null ? ConnectionState.Closed : ConnectionState.Open;

    public override void ChangeDatabase(string databaseName) =>
        throw new NotSupportedException("A bulk read connection reads the store's one database.");

    public override void Open()
    {
        if (_db is null)
        {
            throw new InvalidOperationException("A closed bulk read connection is not reopened; open a new one.");
        }
    }

    public override void Close()
    {
        _db?.Dispose(); // sqlite3_close_v2: waits for statements still open, never frees them under a cursor
        _db = null;
    }

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        throw new NotSupportedException("A bulk read connection has no transactions; each cursor reads one snapshot.");

    protected override DbCommand CreateDbCommand() =>
        throw new NotSupportedException(
            "A bulk read connection only serves cursors (SqlDialect.OpenCursor): SQLite takes no mutex on it, and an ADO.NET command " +
            "could be finalized on another thread. Open a normal connection (IDatabase.OpenAsync) for commands.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }

        base.Dispose(disposing);
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
