using Dapper;

namespace Rapport.Core.Storage;

/// <summary>Creates and upgrades the schema at start-up. Each step runs in its own transaction.</summary>
public static class SchemaMigrator
{
    public static async Task<int> MigrateAsync(IDatabase database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations")).ToHashSet();
        var count = 0;
        foreach (var migration in Schema.All.OrderBy(m => m.Version))
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var statement in Split(database.Dialect.Ddl(migration.Sql)))
            {
                await connection.ExecuteAsync(statement, transaction: tx);
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

    private static IEnumerable<string> Split(string sql) =>
        sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.TrimEnd(';'))
            .Where(s => s.Length > 0);
}
