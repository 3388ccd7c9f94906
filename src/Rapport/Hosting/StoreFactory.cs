using Npgsql;
using Rapport.Core.Storage;
using Rapport.Storage.Postgres;
using Rapport.Storage.Sqlite;

namespace Rapport.Hosting;

/// <summary>
/// Opens the store named by <see cref="StoreOptions"/>: the one place that knows both providers.
/// Callers migrate next (<see cref="SchemaMigrator.MigrateAsync(IDatabase, CancellationToken)"/>).
/// Problems with the value itself throw <see cref="StoreOptionsException"/> (exit code 2).
/// </summary>
internal static class StoreFactory
{
    /// <summary>The PostgreSQL database used when the connection string names none.</summary>
    public const string DefaultDatabase = "rapport";

    /// <summary>
    /// A SQLite file is created when missing (with its folder); a PostgreSQL database is created
    /// on the first connection when the server has none of that name, so
    /// <c>rapport serve --store postgres:Host=...;Database=rapport</c> works on a fresh server.
    /// </summary>
    public static IDatabase Open(StoreOptions options) => options.Kind switch
    {
        StoreKind.Sqlite => OpenSqlite(options.Target),
        StoreKind.Postgres => OpenPostgres(options),
        _ => throw new StoreOptionsException($"No store of kind {options.Kind}."),
    };

    /// <summary>Parses the value (command line, then Rapport__Store, then the default) and opens it.</summary>
    public static IDatabase Open(string? storeOption) => Open(StoreOptions.FromCommandLineOrEnvironment(storeOption));

    /// <summary>What a command needs before it touches data: the store opened and its schema up to date.</summary>
    public static async Task<IDatabase> OpenMigratedAsync(string? storeOption, CancellationToken cancellationToken = default)
    {
        var database = Open(storeOption);
        try
        {
            await SchemaMigrator.MigrateAsync(database, cancellationToken);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static SqliteDatabase OpenSqlite(string path)
    {
        if (Directory.Exists(path))
        {
            throw new StoreOptionsException($"'{path}' is a directory; give the SQLite file inside it, e.g. sqlite:{Path.Combine(path, "rapport.db")}.");
        }

        try
        {
            return new SqliteDatabase(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new StoreOptionsException($"Cannot open the SQLite file '{path}': {ex.Message}", ex);
        }
    }

    private static PostgresDatabase OpenPostgres(StoreOptions options)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.Target);
        }
        catch (ArgumentException ex)
        {
            throw new StoreOptionsException($"'{options.Display}' is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }

        // Npgsql would pick the user's name; one obvious name is easier to find and to back up.
        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = DefaultDatabase;
        }

        return new PostgresDatabase(builder.ConnectionString, createDatabaseIfMissing: true);
    }
}
