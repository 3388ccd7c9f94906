using System.Data.Common;
using Npgsql;
using Rapport.Core.Storage;

namespace Rapport.Storage.Postgres;

/// <summary>The production store: PostgreSQL 15+, one pooled data source per process.</summary>
public sealed class PostgresDatabase : IDatabase
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private bool _createIfMissing;

    /// <param name="connectionString">An Npgsql connection string; Host and Database are required.</param>
    /// <param name="createDatabaseIfMissing">
    /// Create the database on the first connection that finds it missing (connecting to the
    /// <c>postgres</c> database to do so), so <c>rapport serve --store postgres:...</c> just works
    /// against a fresh server. Costs nothing once the database exists.
    /// </param>
    public PostgresDatabase(string connectionString, bool createDatabaseIfMissing = false)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        DisplayName = $"postgres:{builder.Host}:{builder.Port}/{builder.Database}";
        _connectionString = builder.ConnectionString;
        _createIfMissing = createDatabaseIfMissing;
        _dataSource = NpgsqlDataSource.Create(_connectionString);
    }

    public SqlDialect Dialect { get; } = new PostgresDialect();

    public string DisplayName { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName && _createIfMissing)
        {
            await _createGate.WaitAsync(cancellationToken);
            try
            {
                await CreateDatabaseIfMissingAsync(_connectionString, cancellationToken);
                _createIfMissing = false;
            }
            finally
            {
                _createGate.Release();
            }

            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _createGate.Dispose();
    }

    /// <summary>
    /// Creates the connection string's database when it does not exist; returns whether it did.
    /// New databases use UTF-8 with the C collation and character classes, so ORDER BY on text is
    /// byte order and lower()/upper() touch ASCII only, exactly as in SQLite. Two processes
    /// racing to create it are fine: the loser sees it exists.
    /// </summary>
    public static async Task<bool> CreateDatabaseIfMissingAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database
            ?? throw new ArgumentException("The PostgreSQL connection string names no Database.", nameof(connectionString));
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return false;
            }
        }

        await using var create = new NpgsqlCommand(
            $"CREATE DATABASE {QuoteIdentifier(database)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'",
            connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            return false;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException(
                $"Database \"{database}\" does not exist and user \"{target.Username}\" may not create it. " +
                $"Create it (CREATE DATABASE \"{database}\" OWNER \"{target.Username}\") or grant CREATEDB.",
                ex);
        }
    }

    /// <summary>Quotes a database or table name for DDL (names cannot be bound as parameters).</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
