using System.Data.Common;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>
/// What a fact source is asked for: some keys of its family, for some customers (null = all).
/// Hand each value to the sink with the <see cref="Keys"/> instance of its key where you can
/// (not a copy built from a name read or a literal): the loader finds a key's slot by reference
/// first, a string hash per value otherwise.
/// </summary>
public sealed record FactRequest(
    DbConnection Connection, DbTransaction? Transaction, SqlDialect Dialect, IReadOnlyList<long>? Customers, IReadOnlyCollection<string> Keys)
{
    /// <summary>
    /// Where <see cref="FactQueries.Read"/> runs its cursors instead of <see cref="Connection"/>:
    /// a full load's bulk reader (<see cref="IDatabase.OpenBulkReaderAsync"/>, no transaction, so
    /// only while the single writer is held and has written nothing). Commands (table checks,
    /// small lookups) still go to <see cref="Connection"/>.
    /// </summary>
    public DbConnection? Reader { get; init; }
}

/// <summary>Receives one value of one customer.</summary>
public delegate void FactSink(long customerId, string key, FieldValue value);

/// <summary>
/// The seam between segments and whatever knows a family of customer fields (traits, value,
/// prediction; later needs). Segments ask a source for the fields their definitions use, for all
/// customers when loading and for the customers of an ingest batch afterwards; so a source runs
/// one query per family per batch, never one per event. To add a family: declare its fields in
/// Rapport.Engine's SegmentFields and register an implementation of this interface.
/// </summary>
public interface ICustomerFactSource
{
    /// <summary>The family this source fills, as named in <see cref="SegmentFields"/>.</summary>
    string Family { get; }

    Task LoadAsync(FactRequest request, FactSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// A token that changes when the family changed for many customers at once outside the event
    /// pipeline (a model refit, a population-wide recomputation); the sweep re-reads the family
    /// for everybody when it changes. Null (the default) when there is no such token.
    /// </summary>
    Task<string?> VersionAsync(FactRequest request, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <summary>Shared plumbing for sources that read tables: customer chunks and table existence.</summary>
public static class FactQueries
{
    /// <summary>
    /// Runs <paramref name="sql"/>, whose "{customers}" is replaced by a filter on
    /// <paramref name="customerColumn"/> (one list parameter, see <see cref="ValueList"/>; or
    /// 1 = 1 for all customers), and hands each row to <paramref name="row"/> as a
    /// <see cref="RowCursor"/>: columns by position, text as UTF-8 bytes, no boxing. A segment
    /// recomputation reads millions of rows, where the ADO.NET reader's string and boxed value per
    /// column cost more than the query. Synchronous, like every SQLite read.
    /// </summary>
    public static void Read(
        FactRequest request, string sql, string customerColumn, IReadOnlyList<(string Name, object? Value)> parameters, Action<RowCursor> row, CancellationToken ct)
    {
        var p = new List<(string Name, object? Value)>(parameters);
        var filter = "1 = 1";
        if (request.Customers is not null)
        {
            if (request.Customers.Count == 0)
            {
                return;
            }

            p.Add(("customers", ValueList.Of(request.Dialect, request.Customers)));
            filter = $"{customerColumn} IN {ValueList.Sql(request.Dialect, "@customers")}";
        }

        ct.ThrowIfCancellationRequested();
        var (connection, transaction) = request.Reader is { } reader ? (reader, null) : (request.Connection, request.Transaction);
        using var cursor = request.Dialect.OpenCursor(connection, transaction, sql.Replace("{customers}", filter, StringComparison.Ordinal), p);
        for (long rows = 1; cursor.Read(); rows++)
        {
            row(cursor);
            if (rows % 100_000 == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>A nullable numeric column as a double.</summary>
    public static double? Number(RowCursor cursor, int column) => cursor.IsNull(column) ? null : cursor.GetDouble(column);

    /// <summary>A nullable *_e4 money column in currency units.</summary>
    public static double? Money(RowCursor cursor, int column) => Number(cursor, column) / 10_000.0;

    /// <summary>Whether a table exists: sources may read tables another feature creates (customer_value, customer_predictions).</summary>
    public static async Task<bool> TableExistsAsync(FactRequest request, string table, CancellationToken ct)
    {
        // Tables appear (a migration ran) but never disappear: once seen in a store (one dialect
        // instance per open store), stop asking every batch.
        var seen = Existing.GetOrCreateValue(request.Dialect);
        lock (seen)
        {
            if (seen.Contains(table))
            {
                return true;
            }
        }

        var sql = request.Dialect.Name == "sqlite"
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @table";
        var exists = await Dapper.SqlMapper.ExecuteScalarAsync<long>(
            request.Connection, new Dapper.CommandDefinition(sql, new { table }, request.Transaction, cancellationToken: ct)) > 0;
        if (exists)
        {
            lock (seen)
            {
                seen.Add(table);
            }
        }

        return exists;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqlDialect, HashSet<string>> Existing = new();
}
