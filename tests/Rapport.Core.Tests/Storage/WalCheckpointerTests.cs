using Dapper;
using Rapport.Storage.Sqlite;

namespace Rapport.Core.Tests.Storage;

public sealed class WalCheckpointerTests
{
    [Fact]
    public async Task SqliteDatabase_CommitsWithoutCheckpointing_BackgroundCopiesWalIntoTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "rapport-tests", $"{Guid.NewGuid():N}.db");
        await using (var db = new SqliteDatabase(path))
        {
            await using var c = await db.OpenAsync();
            await c.ExecuteAsync("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
            var before = new FileInfo(path).Length;
            for (var i = 0; i < 20; i++)
            {
                // 20 commits of 100 KB: each lands in the WAL; the commit itself never checkpoints.
                await using var tx = await c.BeginTransactionAsync();
                await c.ExecuteAsync("INSERT INTO blobs (body) VALUES (@body)", new { body = new string((char)('a' + i), 100 * 1024) }, tx);
                await tx.CommitAsync();
            }

            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (new FileInfo(path).Length < before + 1_900_000 && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }

            Assert.True(new FileInfo(path).Length >= before + 1_900_000,
                $"The database file is still {new FileInfo(path).Length} bytes: the WAL was not checkpointed in the background.");
            Assert.Equal(20, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM blobs"));
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
