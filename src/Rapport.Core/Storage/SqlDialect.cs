using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>What differs between the stores: DDL types and the bulk-append path.</summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>Type of an auto-numbered 64-bit primary key column.</summary>
    protected abstract string IdentityColumn { get; }

    /// <summary>
    /// Expands the DDL tokens used by migrations: <c>{id}</c> is an auto-numbered BIGINT
    /// primary key. Everything else in our DDL (BIGINT, TEXT, INTEGER) means the same in both.
    /// </summary>
    public string Ddl(string template) => template.Replace("{id}", IdentityColumn, StringComparison.Ordinal);

    /// <summary>
    /// Appends rows in the caller's transaction by the fastest path the store has
    /// (SQLite: one prepared statement reused; PostgreSQL: binary COPY). Rows must not
    /// violate constraints: callers deduplicate first.
    /// </summary>
    public abstract Task BulkInsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        string table,
        IReadOnlyList<string> columns,
        IEnumerable<object?[]> rows,
        CancellationToken cancellationToken = default);
}
