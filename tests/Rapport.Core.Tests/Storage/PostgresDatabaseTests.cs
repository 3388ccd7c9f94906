using Npgsql;
using Rapport.Core.Storage;
using Rapport.Storage.Postgres;

namespace Rapport.Core.Tests.Storage;

/// <summary>What only the PostgreSQL store has to do: create its database, let nodes migrate together.</summary>
public sealed class PostgresDatabaseTests
{
    [Fact]
    public async Task OpenAsync_DatabaseMissingWithoutCreate_ThrowsInvalidCatalogName()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = new PostgresDatabase(server.ConnectionString(server.NewDatabaseName()));

        var error = await Assert.ThrowsAsync<PostgresException>(() => db.OpenAsync());

        Assert.Equal(PostgresErrorCodes.InvalidCatalogName, error.SqlState);
    }

    [Fact]
    public async Task OpenAsync_DatabaseMissingWithCreate_CreatesItOnceForConcurrentCallers()
    {
        var server = await PostgresServer.GetAsync();
        var name = server.NewDatabaseName();
        try
        {
            await using var db = new PostgresDatabase(server.ConnectionString(name), createDatabaseIfMissing: true);

            var connections = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => db.OpenAsync()));

            foreach (var connection in connections)
            {
                Assert.Equal(name, connection.Database);
                await connection.DisposeAsync();
            }
        }
        finally
        {
            await server.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public async Task CreateDatabaseIfMissingAsync_Exists_ReturnsFalse()
    {
        var server = await PostgresServer.GetAsync();
        var name = await server.CreateDatabaseAsync(migrated: false);
        try
        {
            Assert.False(await PostgresDatabase.CreateDatabaseIfMissingAsync(server.ConnectionString(name)));
        }
        finally
        {
            await server.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public async Task MigrateAsync_TwoNodesAtOnce_AppliesEachStepOnce()
    {
        await using var db = await TestStores.CreateEmptyAsync(StoreKind.Postgres);
        await using var otherNode = new PostgresDatabase(db.Store["postgres:".Length..]);

        var applied = await Task.WhenAll(SchemaMigrator.MigrateAsync(db), SchemaMigrator.MigrateAsync(otherNode));

        Assert.Equal(Schema.All.Count, applied.Sum());
    }
}
