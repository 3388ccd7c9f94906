using System.Data.Common;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Storage;

public sealed class StoreOptionsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_NoValue_DefaultSqliteFile(string? value)
    {
        var options = StoreOptions.Parse(value);

        Assert.Equal(StoreKind.Sqlite, options.Kind);
        Assert.Equal("./rapport.db", options.Target);
    }

    [Theory]
    [InlineData("sqlite:data/rapport.db", "data/rapport.db")]
    [InlineData("SQLite: /var/lib/rapport/r.db ", "/var/lib/rapport/r.db")]
    [InlineData("sqlite:///var/lib/rapport/r.db", "/var/lib/rapport/r.db")]
    [InlineData("rapport.db", "rapport.db")]
    [InlineData("./data/my shop.db", "./data/my shop.db")]
    [InlineData("/tmp/x=1;y.db", "/tmp/x=1;y.db")]
    [InlineData(@"C:\data\rapport.db", @"C:\data\rapport.db")]
    public void Parse_SqliteOrPlainPath_SqliteFile(string value, string path)
    {
        var options = StoreOptions.Parse(value);

        Assert.Equal(StoreKind.Sqlite, options.Kind);
        Assert.Equal(path, options.Target);
    }

    [Theory]
    [InlineData("postgres:Host=db;Username=rapport;Database=rapport", "Host=db;Username=rapport;Database=rapport")]
    [InlineData("postgresql:Host=db;Database=r", "Host=db;Database=r")]
    [InlineData("Host=localhost;Port=5433;Username=u;Password=p;Database=r", "Host=localhost;Port=5433;Username=u;Password=p;Database=r")]
    [InlineData("server=db;database=r", "server=db;database=r")]
    public void Parse_ConnectionString_Postgres(string value, string connectionString)
    {
        var options = StoreOptions.Parse(value);

        Assert.Equal(StoreKind.Postgres, options.Kind);
        Assert.Equal(connectionString, options.Target);
    }

    [Fact]
    public void Parse_PostgresUri_ConvertedToConnectionString()
    {
        var options = StoreOptions.Parse("postgres://rapport:s%3Bcr%40t@db.internal:5433/shop?sslmode=require");

        Assert.Equal(StoreKind.Postgres, options.Kind);
        var parsed = new DbConnectionStringBuilder { ConnectionString = options.Target };
        Assert.Equal("db.internal", parsed["host"]);
        Assert.Equal("5433", parsed["port"]);
        Assert.Equal("rapport", parsed["username"]);
        Assert.Equal("s;cr@t", parsed["password"]);
        Assert.Equal("shop", parsed["database"]);
        Assert.Equal("require", parsed["sslmode"]);
    }

    [Theory]
    [InlineData("mysql:Server=db", "Unknown store 'mysql'")]
    [InlineData("sqlite:", "needs a file path")]
    [InlineData("postgres:", "needs a connection string")]
    [InlineData("postgres:Username=u;Database=r", "has no Host")]
    [InlineData("postgres:Host=db;Password='unterminated", "not a valid PostgreSQL connection string")]
    [InlineData("postgres://", "not a valid PostgreSQL URI")]
    [InlineData(":memory:", "in-memory SQLite")]
    [InlineData("sqlite:data/", "not a usable SQLite file path")]
    public void Parse_BadValue_ThrowsStoreOptionsExceptionSayingWhy(string value, string expected)
    {
        var error = Assert.Throws<StoreOptionsException>(() => StoreOptions.Parse(value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres:Host=db;Username=u;Password=hunter2")]
    [InlineData("postgres:Password=hunter2;Username=u")]
    [InlineData("postgres://u:hunter2@")]
    public void Parse_BadValueWithPassword_MessageHidesPassword(string value)
    {
        var error = Record.Exception(() => StoreOptions.Parse(value));

        if (error is not null)
        {
            Assert.IsType<StoreOptionsException>(error);
            Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("hunter2", StoreOptions.Parse(value).Display, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Display_PostgresWithPassword_HidesPassword()
    {
        var options = StoreOptions.Parse("Host=db;Username=u;Password=hunter2;Database=r");

        Assert.DoesNotContain("hunter2", options.Display, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("postgres:", options.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void FromCommandLineOrEnvironment_CommandLineGiven_WinsOverEnvironment()
    {
        // Only the command-line branch: the environment is process-wide and tests run in parallel.
        var options = StoreOptions.FromCommandLineOrEnvironment("sqlite:cli.db");

        Assert.Equal(StoreOptions.Parse("sqlite:cli.db"), options);
    }
}
