using Rapport.Core.Storage;
using Rapport.Storage.Postgres;
using Rapport.Storage.Sqlite;

namespace Rapport.Hosting;

/// <summary>Opens and migrates the store named by --store / Rapport__Store (SQLite file by default).</summary>
internal static class Stores
{
    public static async Task<IDatabase> OpenAsync(string? store, CancellationToken ct = default)
    {
        var value = string.IsNullOrWhiteSpace(store) ? Environment.GetEnvironmentVariable("Rapport__Store") : store;
        IDatabase db = value switch
        {
            null or "" => new SqliteDatabase("./rapport.db"),
            var v when v.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase) => new PostgresDatabase(v["postgres:".Length..]),
            var v when v.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) => new PostgresDatabase(v),
            var v when v.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) => new SqliteDatabase(v["sqlite:".Length..]),
            var v => new SqliteDatabase(v),
        };
        await SchemaMigrator.MigrateAsync(db, ct);
        return db;
    }
}
