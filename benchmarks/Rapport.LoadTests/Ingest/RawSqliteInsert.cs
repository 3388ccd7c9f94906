using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Rapport.LoadTests.Ingest;

/// <summary>
/// The ceiling to compare against: the rows the server stored, inserted straight into an
/// identical events table (same DDL and indexes, same WAL and synchronous=NORMAL settings) with
/// one prepared statement in one transaction. No HTTP, JSON, identity or projections.
/// </summary>
internal static class RawSqliteInsert
{
    private static readonly string[] Columns =
    [
        "message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value",
        "anonymous_id", "user_id", "occurred_at", "received_at", "properties", "context",
    ];

    public static async Task<(List<object?[]> Rows, List<string> Ddl)> ReadEventsAsync(string serverStore)
    {
        await using var c = Open(serverStore);
        var ddl = new List<string>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type DESC";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                ddl.Add(r.GetString(0));
            }
        }

        var rows = new List<object?[]>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"SELECT {string.Join(", ", Columns)} FROM events WHERE message_id LIKE '{TrackEventGenerator.MessageIdPrefix}%' ORDER BY id";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                var row = new object?[Columns.Length];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
                }

                rows.Add(row);
            }
        }

        return (rows, ddl);
    }

    /// <summary>Through SQLite's own API: one statement, values bound by position (how the server's bulk path binds).</summary>
    /// <returns>The time the insert and commit took.</returns>
    public static TimeSpan InsertPositional(string path, IReadOnlyList<string> ddl, IReadOnlyList<object?[]> rows)
    {
        using var c = Create(path, ddl);
        var db = c.Handle!;
        var watch = Stopwatch.StartNew();
        using (var tx = c.BeginTransaction())
        {
            Check(raw.sqlite3_prepare_v2(db, $"INSERT INTO events ({string.Join(", ", Columns)}) VALUES ({string.Join(", ", Columns.Select((_, i) => "?" + (i + 1)))})", out var statement), db);
            using (statement)
            {
                foreach (var row in rows)
                {
                    for (var i = 0; i < row.Length; i++)
                    {
                        Check(row[i] switch
                        {
                            null => raw.sqlite3_bind_null(statement, i + 1),
                            long l => raw.sqlite3_bind_int64(statement, i + 1, l),
                            double d => raw.sqlite3_bind_double(statement, i + 1, d),
                            var v => raw.sqlite3_bind_text(statement, i + 1, Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)),
                        }, db);
                    }

                    var rc = raw.sqlite3_step(statement);
                    raw.sqlite3_reset(statement);
                    if (rc != raw.SQLITE_DONE)
                    {
                        Check(rc, db);
                    }
                }
            }

            tx.Commit();
        }

        return watch.Elapsed;
    }

    /// <summary>Through Microsoft.Data.Sqlite: one prepared command, parameters set per row (the usual ADO.NET way).</summary>
    /// <returns>The time the insert and commit took.</returns>
    public static TimeSpan Insert(string path, IReadOnlyList<string> ddl, IReadOnlyList<object?[]> rows)
    {
        using var c = Create(path, ddl);
        var watch = Stopwatch.StartNew();
        using (var tx = c.BeginTransaction())
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"INSERT INTO events ({string.Join(", ", Columns)}) VALUES ({string.Join(", ", Columns.Select((_, i) => "$p" + i))})";
            var parameters = Columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
            cmd.Prepare();
            foreach (var row in rows)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = row[i] ?? DBNull.Value;
                }

                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }

        return watch.Elapsed;
    }

    /// <summary>A fresh file with the server's settings (WAL, synchronous=NORMAL) and the events table's DDL.</summary>
    private static SqliteConnection Create(string path, IReadOnlyList<string> ddl)
    {
        foreach (var f in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(f);
        }

        var c = Open(path);
        Execute(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;");
        foreach (var statement in ddl)
        {
            Execute(c, statement);
        }

        return c;
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
