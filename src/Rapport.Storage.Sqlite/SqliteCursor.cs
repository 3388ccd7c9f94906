using Microsoft.Data.Sqlite;
using Rapport.Core.Storage;
using SQLitePCL;

namespace Rapport.Storage.Sqlite;

/// <summary>
/// A query read through SQLite's own API: columns by position, text as the bytes SQLite holds
/// (no string unless asked for), parameters bound by position once. Microsoft.Data.Sqlite's
/// reader costs several times the query on bulk reads (a string per text value, type checks
/// and async plumbing per row).
/// </summary>
internal sealed class SqliteCursor : RowCursor
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private bool _done;

    public SqliteCursor(SqliteConnection connection, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        _db = connection.Handle!;
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

        var rc = raw.sqlite3_step(_statement);
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

    public override bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public override long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    // For a TEXT value sqlite3_column_blob gives its UTF-8 bytes, with the right length.
    public override ReadOnlySpan<byte> GetUtf8(int column) => raw.sqlite3_column_blob(_statement, column);

    public override void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
