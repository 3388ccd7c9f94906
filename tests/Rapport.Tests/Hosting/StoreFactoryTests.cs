using Dapper;
using Npgsql;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Hosting;

namespace Rapport.Tests.Hosting;

public sealed class StoreFactoryTests
{
    [Fact]
    public async Task Open_SqlitePathInNewFolder_CreatesFileThatMigrates()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rapport-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "nested", "shop.db");
        try
        {
            await using (var db = StoreFactory.Open(StoreOptions.Parse($"sqlite:{path}")))
            {
                Assert.Equal(Schema.All.Count, await SchemaMigrator.MigrateAsync(db));
                Assert.Equal($"sqlite:{path}", db.DisplayName);
            }

            Assert.True(File.Exists(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task OpenMigratedAsync_SqliteFile_SchemaUpToDate()
    {
        var path = Path.Combine(Path.GetTempPath(), "rapport-tests", $"{Guid.NewGuid():N}.db");
        try
        {
            await using var db = await StoreFactory.OpenMigratedAsync(path);

            Assert.Equal(0, await SchemaMigrator.MigrateAsync(db));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_UnknownStoreKind_ThrowsArgumentExceptionTheCliMapsToExitCode2()
    {
        var error = Assert.Throws<StoreOptionsException>(() => StoreFactory.Open("mysql:Server=db"));

        Assert.IsAssignableFrom<ArgumentException>(error);
    }

    [Fact]
    public void Open_SqlitePathIsDirectory_ThrowsStoreOptionsException()
    {
        var dir = Directory.CreateTempSubdirectory("rapport-tests-").FullName;
        try
        {
            var error = Assert.Throws<StoreOptionsException>(() => StoreFactory.Open(StoreOptions.Parse(dir)));

            Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void Open_PostgresUnknownKeyword_ThrowsStoreOptionsException()
    {
        var error = Assert.Throws<StoreOptionsException>(() =>
            StoreFactory.Open(StoreOptions.Parse("postgres:Host=db;Database=r;Password=hunter2;Colour=blue")));

        Assert.Contains("not a valid PostgreSQL connection string", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_PostgresWithoutDatabase_UsesRapportDatabase()
    {
        await using var db = StoreFactory.Open(StoreOptions.Parse("postgres:Host=db.invalid;Username=u"));

        Assert.EndsWith($"/{StoreFactory.DefaultDatabase}", db.DisplayName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_PostgresDatabaseMissing_CreatesItOnFirstUseAndMigrates()
    {
        var server = await PostgresServer.GetAsync();
        var name = server.NewDatabaseName();
        try
        {
            await using (var db = StoreFactory.Open(StoreOptions.Parse("postgres:" + server.ConnectionString(name))))
            {
                Assert.Equal(Schema.All.Count, await SchemaMigrator.MigrateAsync(db));
            }

            await using var admin = new NpgsqlConnection(server.AdminConnectionString);
            var collation = await admin.ExecuteScalarAsync<string>("SELECT datcollate FROM pg_database WHERE datname = @name", new { name });
            Assert.Equal("C", collation);
        }
        finally
        {
            await server.DropDatabaseAsync(name);
        }
    }
}
