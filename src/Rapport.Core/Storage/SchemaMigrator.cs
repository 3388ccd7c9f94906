using System.Data.Common;
using Dapper;

namespace Rapport.Core.Storage;

/// <summary>
/// Creates and upgrades the schema at start-up. Each step runs in its own transaction, so a
/// failed step leaves the earlier ones applied and is retried on the next start. Running it
/// again applies nothing. Several nodes starting at once on one PostgreSQL take turns (an
/// advisory lock).
/// </summary>
public static class SchemaMigrator
{
    public static Task<int> MigrateAsync(IDatabase database, CancellationToken cancellationToken = default) =>
        MigrateAsync(database, Schema.All, cancellationToken);

    /// <summary>Applies the given steps (tests pass their own lists); returns how many ran.</summary>
    public static async Task<int> MigrateAsync(
        IDatabase database, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        var dialect = database.Dialect;
        await using var connection = await database.OpenAsync(cancellationToken);
        if (dialect.MigrationLockSql is { } lockSql)
        {
            await connection.ExecuteAsync(lockSql);
        }

        try
        {
            return await ApplyAsync(connection, dialect, migrations, cancellationToken);
        }
        finally
        {
            if (dialect.MigrationUnlockSql is { } unlockSql)
            {
                await connection.ExecuteAsync(unlockSql);
            }
        }
    }

    private static async Task<int> ApplyAsync(
        DbConnection connection, SqlDialect dialect, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations")).ToHashSet();
        var count = 0;
        foreach (var migration in migrations.OrderBy(m => m.Version))
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var statement in Split(dialect.Ddl(migration.Sql)))
            {
                try
                {
                    await connection.ExecuteAsync(statement, transaction: tx);
                }
                catch (DbException ex)
                {
                    throw new InvalidOperationException(
                        $"Migration {migration.Version} ({migration.Name}) failed on {dialect.Name}: {ex.Message}\n{statement}", ex);
                }
            }

            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)",
                new { v = migration.Version, n = migration.Name, t = UnixTime.ToStorage(TimeProvider.System.GetUtcNow()) },
                tx);
            await tx.CommitAsync(cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>Statements end with ';' at a line end (CRLF checkouts included).</summary>
    internal static IEnumerable<string> Split(string sql) =>
        sql.ReplaceLineEndings("\n")
            .Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.TrimEnd(';').Trim())
            .Where(s => s.Length > 0);
}
