using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Rapport.Core.Storage;
using SQLitePCL;

namespace Rapport.Storage.Sqlite;

/// <summary>
/// A query read through SQLite's own API: columns by position, text as the bytes SQLite holds
/// (no string unless asked for), parameters bound by position once. Microsoft.Data.Sqlite's
/// reader costs several times the query on bulk reads (a string per text value, type checks
/// and async plumbing per row). Rows and columns are read through direct calls on the raw
/// statement pointer (<see cref="Native"/>): SQLitePCL's calls take and release the statement's
/// SafeHandle on every column read, which was about 5% of a needs recomputation's CPU.
/// </summary>
internal sealed partial class SqliteCursor : RowCursor
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _handle;
    private bool _done;
    private bool _referenced;

    public SqliteCursor(sqlite3 db, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        try
        {
            foreach (var (name, value) in parameters)
            {
                var i = raw.sqlite3_bind_parameter_index(_statement, name.StartsWith('@') ? name : "@" + name);
                if (i == 0)
                {
                    throw new ArgumentException($"The SQL has no parameter {name}: {sql}", nameof(parameters));
                }

                Check(value switch
                {
                    null => raw.sqlite3_bind_null(_statement, i),
                    long l => raw.sqlite3_bind_int64(_statement, i, l),
                    int n => raw.sqlite3_bind_int64(_statement, i, n),
                    double d => raw.sqlite3_bind_double(_statement, i, d),
                    string s => raw.sqlite3_bind_text(_statement, i, s),
                    var other => throw new ArgumentException($"{name}: a {other.GetType().Name} has no stored form here; pass long, double or string.", nameof(parameters)),
                });
            }

            // One reference for the cursor's life, so the raw pointer stays valid until Dispose.
            _statement.DangerousAddRef(ref _referenced);
            _handle = _statement.DangerousGetHandle();
        }
        catch
        {
            _statement.Dispose();
            throw;
        }
    }

    public override bool Read()
    {
        if (_done)
        {
            return false;
        }

        var rc = Native.Step(_handle);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        _done = true;
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

        return false;
    }

    public override bool IsNull(int column) => Native.ColumnType(_handle, column) == raw.SQLITE_NULL;

    public override long GetInt64(int column) => Native.ColumnInt64(_handle, column);

    public override double GetDouble(int column) => Native.ColumnDouble(_handle, column);

    public override bool IsText(int column) => Native.ColumnType(_handle, column) == raw.SQLITE_TEXT;

    // For a TEXT value sqlite3_column_blob gives its UTF-8 bytes; the length is asked after it, as SQLite requires.
    public override unsafe ReadOnlySpan<byte> GetUtf8(int column)
    {
        var bytes = Native.ColumnBlob(_handle, column);
        return bytes == IntPtr.Zero ? [] : new ReadOnlySpan<byte>((void*)bytes, Native.ColumnBytes(_handle, column));
    }

    public override void Dispose()
    {
        if (_referenced)
        {
            _referenced = false;
            _statement.DangerousRelease();
        }

        _statement.Dispose();
    }

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}

/// <summary>
/// The few SQLite calls a cursor makes per row, on the same library SQLitePCL loaded (e_sqlite3).
/// The column reads only read the current row: no callbacks, no blocking, so the GC transition
/// is skipped for them; stepping may do I/O and keeps it.
/// </summary>
internal static partial class Native
{
    private const string Library = "e_sqlite3";

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type")]
    [SuppressGCTransition]
    public static partial int ColumnType(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64")]
    [SuppressGCTransition]
    public static partial long ColumnInt64(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_double")]
    [SuppressGCTransition]
    public static partial double ColumnDouble(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob")]
    [SuppressGCTransition]
    public static partial IntPtr ColumnBlob(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    [SuppressGCTransition]
    public static partial int ColumnBytes(IntPtr statement, int column);
}
