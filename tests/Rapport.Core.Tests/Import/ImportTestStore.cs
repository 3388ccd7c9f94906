using System.IO.Compression;
using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Import;

/// <summary>
/// A fresh migrated store (SQLite file or PostgreSQL database, see TestStores) wired like the
/// server (identity cache, projections, rebuild-before-commit), plus a temporary directory for
/// input and reject files.
/// </summary>
public sealed class ImportTestStore : IAsyncDisposable
{
    private ImportTestStore(TestDatabase database, string directory)
    {
        Database = database;
        Directory = directory;
        Restart();
    }

    public TestDatabase Database { get; }

    public string Directory { get; }

    public StoreWriter Writer { get; private set; } = null!;

    public IdentityResolver Resolver { get; private set; } = null!;

    public EventWriter Events { get; private set; } = null!;

    public static async Task<ImportTestStore> CreateAsync(StoreKind kind = StoreKind.Sqlite)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rapport-import-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new ImportTestStore(await TestStores.CreateAsync(kind), directory);
    }

    /// <summary>A fresh object graph over the same store, as a new process would have: nothing cached.</summary>
    public void Restart()
    {
        Writer?.Dispose();
        Resolver = new IdentityResolver();
        Events = new EventWriter(Resolver, [new TraitsProjection(), new OrderProjection(), new CartProjection()]);
        Writer = new StoreWriter(Database, TimeProvider.System, [new CustomerStateRebuilder(Events)]);
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
        Importer.RunAsync(Writer, Resolver, Events, kind, path, (options ?? new ImportOptions()) with
        {
            RejectFile = options?.RejectFile ?? Path.Combine(Directory, Path.GetFileName(path) + ".rejects.csv"),
        });

    public async Task<long> CountAsync(string table) => await ScalarAsync<long>($"SELECT COUNT(*) FROM {table}");

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
        foreach (var table in new[] { "customers", "identifiers", "identity_links", "merges", "events", "orders", "order_lines", "products", "traits", "trait_history" })
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
