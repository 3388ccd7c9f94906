using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>What differs between the stores: DDL types, the bulk-append path and error codes.</summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>Type of an auto-numbered 64-bit primary key column.</summary>
    protected abstract string IdentityColumn { get; }

    /// <summary>
    /// Expands the DDL tokens used by migrations: <c>{id}</c> is an auto-numbered BIGINT
    /// primary key; <c>{only:postgres:SQL}</c> (or <c>{only:sqlite:SQL}</c>) is SQL only that store
    /// needs, such as a storage parameter, and expands to nothing on the other (an empty statement
    /// is skipped). Everything else in our DDL (BIGINT, TEXT, DOUBLE PRECISION) means the same
    /// in both; prefer BIGINT to INTEGER, which is 32-bit in PostgreSQL and 64-bit in SQLite.
    /// </summary>
    public string Ddl(string template) =>
        System.Text.RegularExpressions.Regex.Replace(
            template.Replace("{id}", IdentityColumn, StringComparison.Ordinal),
            @"\{only:(?<store>[a-z]+):(?<sql>[^{}]*)\}",
            m => m.Groups["store"].Value == Name ? m.Groups["sql"].Value : "");

    /// <summary>Run before migrating so nodes starting together take turns; null where one process owns the store.</summary>
    public virtual string? MigrationLockSql => null;

    /// <summary>Releases <see cref="MigrationLockSql"/>.</summary>
    public virtual string? MigrationUnlockSql => null;

    /// <summary>
    /// Appends rows in the caller's transaction by the fastest path the store has
    /// (SQLite: one prepared statement reused; PostgreSQL: binary COPY). Values may be null,
    /// long, int, short, bool (stored as 1/0), string, double or byte[]; convert money with
    /// <see cref="Money.ToStorage"/> and times with <see cref="UnixTime.ToStorage"/> first, anything
    /// else throws <see cref="ArgumentException"/> in both stores. Rows must not violate
    /// constraints: callers deduplicate first. A failed call leaves the transaction unusable in
    /// PostgreSQL (and half-applied in SQLite): roll it back.
    /// </summary>
    public abstract Task BulkInsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        string table,
        IReadOnlyList<string> columns,
        IEnumerable<object?[]> rows,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets <paramref name="columns"/> of existing rows, matched on <paramref name="keyColumn"/>
    /// (row[0] is the key, the rest follow <paramref name="columns"/>), in the caller's
    /// transaction, by the fastest path the store has. Here: a bulk insert into a temporary copy
    /// of the columns and one UPDATE … FROM (PostgreSQL: one COPY and one join). Rows whose key
    /// is not stored change nothing. With <paramref name="onlyWhereDifferent"/>, a row is left
    /// alone (not rewritten) unless one of those columns differs (NULLs compare equal). Values
    /// as for <see cref="BulkInsertAsync"/>. Returns the number of rows changed.
    /// </summary>
    public virtual async Task<long> BulkUpdateAsync(
        DbConnection connection,
        DbTransaction transaction,
        string table,
        string keyColumn,
        IReadOnlyList<string> columns,
        IEnumerable<object?[]> rows,
        IReadOnlyList<string>? onlyWhereDifferent = null,
        CancellationToken cancellationToken = default)
    {
        CheckCompared(columns, onlyWhereDifferent);
        var staging = $"bulk_update_{table}";
        var all = new[] { keyColumn }.Concat(columns).ToList();
        if (BulkUpdateSetupSql is { } setup)
        {
            await ExecuteAsync(setup);
        }

        await ExecuteAsync($"CREATE TEMP TABLE {staging} AS SELECT {string.Join(", ", all)} FROM {table} WHERE 1 = 0");
        await BulkInsertAsync(connection, transaction, staging, all, rows, cancellationToken);
        var differs = onlyWhereDifferent is { Count: > 0 } compare
            ? $" AND ({string.Join(" OR ", compare.Select(c => $"{table}.{c} IS DISTINCT FROM s.{c}"))})"
            : "";
        var changed = await ExecuteAsync(
            $"UPDATE {table} SET {string.Join(", ", columns.Select(c => $"{c} = s.{c}"))} FROM {staging} s WHERE {table}.{keyColumn} = s.{keyColumn}{differs}");
        await ExecuteAsync($"DROP TABLE {staging}");
        return changed;

        async Task<int> ExecuteAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.CommandTimeout = 0;
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The columns a bulk update compares must be among those it sets.</summary>
    protected static void CheckCompared(IReadOnlyList<string> columns, IReadOnlyList<string>? compared)
    {
        if (compared?.FirstOrDefault(c => !columns.Contains(c)) is { } missing)
        {
            throw new ArgumentException($"onlyWhereDifferent names {missing}, which is not among the columns set ({string.Join(", ", columns)}).", nameof(compared));
        }
    }

    /// <summary>Run first in <see cref="BulkUpdateAsync"/>'s transaction, e.g. to give its join more memory; null for nothing.</summary>
    protected virtual string? BulkUpdateSetupSql => null;

    /// <summary>
    /// Compiles <paramref name="sql"/> for repeated use in this transaction (see
    /// <see cref="UnitOfWork.Statement"/>). The portable form keeps one ADO.NET command; a store
    /// may bind values more directly.
    /// </summary>
    public virtual PreparedStatement Prepare(DbConnection connection, DbTransaction transaction, string sql, IReadOnlyList<string> parameters) =>
        new CommandStatement(connection, transaction, sql, parameters);

    /// <summary>
    /// Runs a query for a bulk read row by row (see <see cref="RowCursor"/>); parameters are
    /// named in the SQL (@first) and given as (name, value). The portable form is an ADO.NET
    /// reader; a store may read its rows more directly.
    /// </summary>
    public virtual RowCursor OpenCursor(DbConnection connection, DbTransaction? transaction, string sql, params IReadOnlyList<(string Name, object? Value)> parameters) =>
        new CommandCursor(connection, transaction, sql, parameters);

    /// <summary>
    /// Readies a connection that is only read from for a bulk read (a whole recomputation's
    /// histories): a store may read its pages in place (SQLite's memory map). Nothing by default;
    /// the store undoes it when the connection is next opened.
    /// </summary>
    public virtual void PrepareBulkRead(DbConnection connection)
    {
    }

    /// <summary>
    /// True when the exception is a UNIQUE or PRIMARY KEY violation, so callers can treat a
    /// duplicate the same way on both stores. Prefer ON CONFLICT DO NOTHING where SQL can say it.
    /// </summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// The value a cell is stored as, decided the same way for both stores so a bulk insert that
    /// works on one works on the other: long fits integer columns, string text columns, double
    /// real columns, bool is 1/0 in integer columns, a long in a text column becomes its digits.
    /// Everything else throws <see cref="ArgumentException"/> naming the column, including types
    /// whose stored form would differ between the stores (decimal, DateTime, Guid).
    /// </summary>
    protected static object? StorageValue(object? value, ColumnAffinity affinity, string table, string column)
    {
        var v = value switch
        {
            null or DBNull => null,
            long or string or double or byte[] => value,
            int i => (long)i,
            short s => (long)s,
            bool b => b ? 1L : 0L,
            float f => (double)f,
            decimal => throw new ArgumentException(
                $"{table}.{column}: decimal has no portable stored form; store Money.ToStorage(amount) (a long).", nameof(value)),
            DateTimeOffset or DateTime => throw new ArgumentException(
                $"{table}.{column}: store times as UnixTime.ToStorage(time) (a long of UTC milliseconds).", nameof(value)),
            _ => throw new ArgumentException(
                $"{table}.{column}: {value.GetType().Name} has no portable stored form; use long, string, double, bool or byte[].", nameof(value)),
        };
        return (affinity, v) switch
        {
            (_, null) => null,
            (ColumnAffinity.Integer or ColumnAffinity.Boolean, long) => v,
            (ColumnAffinity.Real, long l) => (double)l,
            (ColumnAffinity.Real, double) => v,
            (ColumnAffinity.Numeric, long or double) => v,
            (ColumnAffinity.Text, string) => v,
            (ColumnAffinity.Text, long l) => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (ColumnAffinity.Blob, byte[]) => v,
            _ => throw new ArgumentException(
                $"{table}.{column} is a {affinity.ToString().ToLowerInvariant()} column; a {v.GetType().Name} ('{v}') does not fit it the same way in both stores.",
                nameof(value)),
        };
    }

    /// <summary>Guards against rows whose length does not match the column list.</summary>
    protected static void CheckRow(object?[] row, IReadOnlyList<string> columns, string table)
    {
        if (row.Length != columns.Count)
        {
            throw new ArgumentException(
                $"A row for {table} has {row.Length} values but {columns.Count} columns were named ({string.Join(", ", columns)}).",
                nameof(row));
        }
    }

    /// <summary>What a column holds, as far as the bulk-insert checks care (SQLite's affinities, plus boolean).</summary>
    protected enum ColumnAffinity
    {
        Integer,
        Real,
        Numeric,
        Text,
        Blob,
        Boolean,
    }
}
