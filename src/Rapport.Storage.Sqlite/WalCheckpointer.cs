using Microsoft.Data.Sqlite;

namespace Rapport.Storage.Sqlite;

/// <summary>
/// Copies committed pages from the WAL into the database file on its own connection and
/// thread, so a commit never waits for a checkpoint. SQLite's default runs the checkpoint
/// (page copy plus fsync) inside whichever commit crosses 1,000 WAL pages: under a steady
/// event stream that put 40% of the single writer's time into COMMIT. Connections opened by
/// <see cref="SqliteDatabase"/> turn that off (wal_autocheckpoint=0) and rely on this.
/// Durability is unchanged: a commit is in the WAL either way.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>How often to checkpoint while writes keep coming.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Passive checkpoints never block the writer, but the WAL can only start over from its
    /// beginning once a checkpoint has caught up with it; past this many pages (64 MB at the
    /// 4 KB page size) a RESTART checkpoint briefly holds the writer so the file stops growing.
    /// </summary>
    public const int RestartAfterPages = 65_536;

    private readonly string _connectionString;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WalCheckpointer(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
        _loop = Task.Run(RunAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        SqliteConnection? connection = null;
        try
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    connection ??= Open();
                    Checkpoint(connection);
                }
                catch (SqliteException)
                {
                    // Busy (another process's checkpoint) or the file went away: try again next tick.
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=5000;";
        command.ExecuteNonQuery();
        return connection;
    }

    private static void Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using (var reader = command.ExecuteReader())
        {
            // (busy, frames in the WAL, frames copied): a long WAL means the writer keeps outrunning us.
            if (!reader.Read() || reader.IsDBNull(1) || reader.GetInt64(1) < RestartAfterPages)
            {
                return;
            }
        }

        command.CommandText = "PRAGMA wal_checkpoint(RESTART);";
        command.ExecuteNonQuery();
    }
}
