using System.IO.Compression;
using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Storage.Sqlite;

namespace Rapport.Core.Tests.Import;

/// <summary>
/// A migrated SQLite store in a fresh temporary directory, plus helpers to write input files
/// there. SQLite only for now: the shared SQLite/PostgreSQL contract fixture is not on main yet.
/// </summary>
public sealed class ImportTestStore : IAsyncDisposable
{
    private ImportTestStore(string directory, SqliteDatabase database)
    {
        Directory = directory;
        Database = database;
        Writer = new StoreWriter(database, TimeProvider.System, []);
    }

    public string Directory { get; }

    public SqliteDatabase Database { get; }

    public StoreWriter Writer { get; }

    public IdentityResolver Resolver { get; private set; } = new();

    public static async Task<ImportTestStore> CreateAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rapport-import-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var database = new SqliteDatabase(Path.Combine(directory, "store.db"));
        await SchemaMigrator.MigrateAsync(database);
        return new ImportTestStore(directory, database);
    }

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteGzip(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip);
        writer.Write(content);
        return path;
    }

    public Task<ImportSummary> ImportAsync(ImportKind kind, string path, ImportOptions? options = null) =>
        Importer.RunAsync(Writer, Resolver, kind, path, (options ?? new ImportOptions()) with
        {
            RejectFile = options?.RejectFile ?? Path.Combine(Directory, Path.GetFileName(path) + ".rejects.csv"),
        });

    /// <summary>A fresh resolver, as a new process would have: nothing cached.</summary>
    public void Restart() => Resolver = new IdentityResolver();

    public async Task<long> CountAsync(string table)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }

    /// <summary>Row counts of every table an import writes, to compare before and after a re-run.</summary>
    public async Task<Dictionary<string, long>> TableCountsAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in new[] { "customers", "identifiers", "identity_links", "merges", "orders", "order_lines", "products", "traits", "trait_history" })
        {
            counts[table] = await CountAsync(table);
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        Writer.Dispose();
        await Database.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow runner: the OS cleans the temp directory.
        }
    }
}
