using System.Data.Common;
using Npgsql;
using Rapport.Core.Storage;

namespace Rapport.Storage.Postgres;

/// <summary>The production store: PostgreSQL 15+, one pooled data source per process.</summary>
public sealed class PostgresDatabase : IDatabase
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        DisplayName = $"postgres:{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public SqlDialect Dialect { get; } = new PostgresDialect();

    public string DisplayName { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
