using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>
/// A statement compiled once per transaction and run many times with new values: the per-row
/// statements of the ingest path (identity, products, orders, carts, traits). Values are bound
/// by position, in the order the parameter names were given. Get one from
/// <see cref="UnitOfWork.Statement"/>; the unit disposes it.
/// </summary>
public abstract class PreparedStatement : IAsyncDisposable
{
    /// <returns>The number of rows changed.</returns>
    public ValueTask<int> ExecuteAsync(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        return ExecuteBoundAsync();
    }

    /// <returns>The first column of the first row (long, double, string or byte[]), or null.</returns>
    public ValueTask<object?> ScalarAsync(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        return ScalarBoundAsync();
    }

    /// <returns>Every row, each as its column values.</returns>
    public ValueTask<List<object?[]>> QueryAsync(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        return QueryBoundAsync();
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Moves the statement to a new transaction on the same connection, for statements kept
    /// across transactions (the writer's commit groups). SQLite's statements belong to the
    /// connection alone, so only the portable form needs this.
    /// </summary>
    internal virtual void UseTransaction(DbTransaction transaction)
    {
    }

    protected abstract void Bind(ReadOnlySpan<object?> values);

    protected abstract ValueTask<int> ExecuteBoundAsync();

    protected abstract ValueTask<object?> ScalarBoundAsync();

    protected abstract ValueTask<List<object?[]>> QueryBoundAsync();
}

/// <summary>The portable form: one ADO.NET command kept for the transaction, parameters set by index.</summary>
internal sealed class CommandStatement : PreparedStatement
{
    private readonly DbCommand _command;

    public CommandStatement(DbConnection connection, DbTransaction transaction, string sql, IReadOnlyList<string> parameters)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        foreach (var name in parameters)
        {
            var p = _command.CreateParameter();
            p.ParameterName = name;
            p.Value = DBNull.Value;
            _command.Parameters.Add(p);
        }
    }

    public override ValueTask DisposeAsync() => _command.DisposeAsync();

    internal override void UseTransaction(DbTransaction transaction) => _command.Transaction = transaction;

    protected override void Bind(ReadOnlySpan<object?> values)
    {
        if (values.Length != _command.Parameters.Count)
        {
            throw new ArgumentException($"The statement has {_command.Parameters.Count} parameters; {values.Length} values were given.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            _command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    protected override async ValueTask<int> ExecuteBoundAsync() => await _command.ExecuteNonQueryAsync();

    protected override async ValueTask<object?> ScalarBoundAsync() => await _command.ExecuteScalarAsync() is { } v and not DBNull ? v : null;

    protected override async ValueTask<List<object?[]>> QueryBoundAsync()
    {
        var rows = new List<object?[]>();
        await using var reader = await _command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
