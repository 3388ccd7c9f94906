using System.Text;
using Microsoft.Data.Sqlite;
using Rapport.Core.Storage;
using SQLitePCL;

namespace Rapport.Storage.Sqlite;

/// <summary>
/// A statement bound by position through SQLite's own API. Microsoft.Data.Sqlite binds every
/// parameter by name on each execution (a UTF-8 copy of the name and a search), which on the
/// ingest path cost more than the statements did. Runs synchronously: SQLite has no async I/O.
/// </summary>
internal sealed class SqliteStatement : PreparedStatement
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _parameters;
    private byte[] _text = new byte[256];
    private readonly ShortTexts _shortTexts = new();

    public SqliteStatement(SqliteConnection connection, string sql, IReadOnlyList<string> parameters)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _parameters = raw.sqlite3_bind_parameter_count(_statement);
        if (_parameters != parameters.Count)
        {
            _statement.Dispose();
            throw new ArgumentException($"The SQL has {_parameters} distinct parameters but {parameters.Count} names were given: {sql}", nameof(parameters));
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            if (raw.sqlite3_bind_parameter_index(_statement, parameters[i]) != i + 1)
            {
                _statement.Dispose();
                throw new ArgumentException($"Name the parameters in the order they first appear in the SQL; {parameters[i]} is not number {i + 1}: {sql}", nameof(parameters));
            }
        }
    }

    public override ValueTask DisposeAsync()
    {
        _statement.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stores text and numbers the way Microsoft.Data.Sqlite does; other types are refused rather than guessed.</summary>
    protected override void Bind(ReadOnlySpan<object?> values)
    {
        if (values.Length != _parameters)
        {
            throw new ArgumentException($"The statement has {_parameters} parameters; {values.Length} values were given.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            Check(values[i] switch
            {
                null or DBNull => raw.sqlite3_bind_null(_statement, i + 1),
                long l => raw.sqlite3_bind_int64(_statement, i + 1, l),
                int n => raw.sqlite3_bind_int64(_statement, i + 1, n),
                short n => raw.sqlite3_bind_int64(_statement, i + 1, n),
                bool b => raw.sqlite3_bind_int64(_statement, i + 1, b ? 1 : 0),
                double d => raw.sqlite3_bind_double(_statement, i + 1, d),
                string { Length: 0 } => raw.sqlite3_bind_text(_statement, i + 1, string.Empty), // an empty span would bind NULL
                string s => raw.sqlite3_bind_text(_statement, i + 1, Utf8(s)),
                byte[] bytes => raw.sqlite3_bind_blob(_statement, i + 1, bytes),
                var other => throw new ArgumentException($"Parameter {i + 1}: a {other.GetType().Name} has no stored form here; pass long, double, string, bool or byte[].", nameof(values)),
            });
        }
    }

    protected override ValueTask<int> ExecuteBoundAsync()
    {
        Run(rows: null);
        return ValueTask.FromResult(raw.sqlite3_changes(_db));
    }

    protected override ValueTask<object?> ScalarBoundAsync()
    {
        object? first = null;
        Run(ref first, null);
        return ValueTask.FromResult(first);
    }

    protected override ValueTask<List<object?[]>> QueryBoundAsync()
    {
        var rows = new List<object?[]>();
        object? unused = null;
        Run(ref unused, rows);
        return ValueTask.FromResult(rows);
    }

    private void Run(List<object?[]>? rows)
    {
        object? unused = null;
        Run(ref unused, rows);
    }

    /// <summary>
    /// Steps to the end (so an INSERT … RETURNING completes), then resets for the next values;
    /// keeps the first column of the first row in <paramref name="first"/> and every row in
    /// <paramref name="rows"/> when given. No callback: a closure and a delegate per execution
    /// were a tenth of what an earn or redeem request allocated (docs/performance.md, "Session 7:
    /// earn/redeem latency").
    /// </summary>
    private void Run(ref object? first, List<object?[]>? rows)
    {
        try
        {
            int rc;
            var seen = false;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                if (!seen)
                {
                    first = Column(0);
                    seen = true;
                }

                if (rows is not null)
                {
                    var row = new object?[raw.sqlite3_column_count(_statement)];
                    row[0] = rows.Count == 0 ? first : Column(0); // the first row's was just read
                    for (var i = 1; i < row.Length; i++)
                    {
                        row[i] = Column(i);
                    }

                    rows.Add(row);
                }
            }

            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private object? Column(int i) => raw.sqlite3_column_type(_statement, i) switch
    {
        raw.SQLITE_INTEGER => SmallIntegers.Box(raw.sqlite3_column_int64(_statement, i)),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(_statement, i),
        raw.SQLITE_TEXT => _shortTexts.Get(raw.sqlite3_column_blob(_statement, i)),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(_statement, i).ToArray(),
        _ => null,
    };

    private ReadOnlySpan<byte> Utf8(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _text.Length)
        {
            _text = new byte[Math.Max(max, _text.Length * 2)];
        }

        return _text.AsSpan(0, Encoding.UTF8.GetBytes(value, _text));
    }

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
