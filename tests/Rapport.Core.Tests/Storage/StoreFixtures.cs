using System.Data.Common;
using System.Reflection;
using Rapport.Core.Storage;
using Rapport.Storage.Postgres;
using Rapport.Storage.Sqlite;
using Xunit.Sdk;

namespace Rapport.Core.Tests.Storage;

// How any test runs against both stores (the same test, once per store):
//
//     [Theory, BothStores]
//     public async Task Import_SameRowTwice_StoresItOnce(StoreKind store)
//     {
//         await using var db = await TestStores.CreateAsync(store);   // fresh, migrated, yours alone
//         await using var connection = await db.OpenAsync();
//         ...
//     }
//
// SQLite is a new temporary file, PostgreSQL a new database on the test server (see
// PostgresServer); both are deleted when `db` is disposed. db.Store is the matching --store /
// Rapport__Store value, for tests that start the rapport host on the same store.
// TestStores.CreateEmptyAsync gives an unmigrated one (for migration tests).

/// <summary>Runs a <c>[Theory]</c> once with <see cref="StoreKind.Sqlite"/> and once with <see cref="StoreKind.Postgres"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class BothStoresAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
    [
        [StoreKind.Sqlite],
        [StoreKind.Postgres],
    ];
}

/// <summary>Fresh stores for tests; see the comment at the top of this file.</summary>
public static class TestStores
{
    private static readonly string SqliteDir = Path.Combine(Path.GetTempPath(), "rapport-tests");

    /// <summary>A fresh store with the whole schema applied.</summary>
    public static Task<TestDatabase> CreateAsync(StoreKind kind, CancellationToken cancellationToken = default) =>
        CreateAsync(kind, migrated: true, cancellationToken);

    /// <summary>A fresh store with no tables at all.</summary>
    public static Task<TestDatabase> CreateEmptyAsync(StoreKind kind, CancellationToken cancellationToken = default) =>
        CreateAsync(kind, migrated: false, cancellationToken);

    private static async Task<TestDatabase> CreateAsync(StoreKind kind, bool migrated, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case StoreKind.Sqlite:
            {
                var path = Path.Combine(SqliteDir, $"{Guid.NewGuid():N}.db");
                var database = new SqliteDatabase(path);
                if (migrated)
                {
                    await SchemaMigrator.MigrateAsync(database, cancellationToken);
                }

                return new TestDatabase(database, kind, $"sqlite:{path}", () =>
                {
                    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                    {
                        File.Delete(file);
                    }

                    return ValueTask.CompletedTask;
                });
            }

            case StoreKind.Postgres:
            {
                var server = await PostgresServer.GetAsync();
                var name = await server.CreateDatabaseAsync(migrated, cancellationToken);
                var connectionString = server.ConnectionString(name);
                return new TestDatabase(
                    new PostgresDatabase(connectionString), kind, $"postgres:{connectionString}", () => new(server.DropDatabaseAsync(name)));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "No such store.");
        }
    }
}

/// <summary>A store that belongs to one test and is deleted when disposed.</summary>
public sealed class TestDatabase : IDatabase
{
    private readonly IDatabase _inner;
    private readonly Func<ValueTask> _delete;

    internal TestDatabase(IDatabase inner, StoreKind kind, string store, Func<ValueTask> delete)
    {
        _inner = inner;
        _delete = delete;
        Kind = kind;
        Store = store;
    }

    public StoreKind Kind { get; }

    /// <summary>The <c>--store</c> / <c>Rapport__Store</c> value that opens this same store.</summary>
    public string Store { get; }

    public SqlDialect Dialect => _inner.Dialect;

    public string DisplayName => _inner.DisplayName;

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) => _inner.OpenAsync(cancellationToken);

    public Task<DbConnection> OpenBulkReaderAsync(CancellationToken cancellationToken = default) => _inner.OpenBulkReaderAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        await _delete();
    }
}
