using System.Data.Common;
using System.Text;

namespace Rapport.Core.Storage;

/// <summary>
/// Reads a query's rows one at a time, by column position, with text as UTF-8 bytes: for bulk
/// reads of millions of rows (the needs recomputation), where a string per value and the
/// ADO.NET machinery per row cost more than the query. Synchronous: it is meant for a
/// background thread that reads and computes. Get one from <see cref="SqlDialect.OpenCursor"/>.
/// </summary>
public abstract class RowCursor : IDisposable
{
    /// <summary>Moves to the next row; false at the end.</summary>
    public abstract bool Read();

    public abstract bool IsNull(int column);

    public abstract long GetInt64(int column);

    /// <summary>A numeric column (integer or real) as a double.</summary>
    public abstract double GetDouble(int column);

    /// <summary>Whether the column holds text (a column of mixed contents: a number, a label).</summary>
    public abstract bool IsText(int column);

    /// <summary>A text column's bytes, valid until the next <see cref="Read"/>.</summary>
    public abstract ReadOnlySpan<byte> GetUtf8(int column);

    public virtual string GetString(int column) => Encoding.UTF8.GetString(GetUtf8(column));

    public abstract void Dispose();
}

/// <summary>The portable form: an ADO.NET reader, text encoded into one reused buffer.</summary>
internal sealed class CommandCursor : RowCursor
{
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;
    private byte[] _text = new byte[256];

    public CommandCursor(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        _command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            var p = _command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            _command.Parameters.Add(p);
        }

        _reader = _command.ExecuteReader();
    }

    public override bool Read() => _reader.Read();

    public override bool IsNull(int column) => _reader.IsDBNull(column);

    public override long GetInt64(int column) => Convert.ToInt64(_reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);

    public override double GetDouble(int column) => Convert.ToDouble(_reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);

    public override bool IsText(int column) => _reader.GetValue(column) is string;

    public override string GetString(int column) => _reader.GetString(column);

    public override ReadOnlySpan<byte> GetUtf8(int column)
    {
        var s = _reader.GetString(column);
        var max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max > _text.Length)
        {
            _text = new byte[Math.Max(max, _text.Length * 2)];
        }

        return _text.AsSpan(0, Encoding.UTF8.GetBytes(s, _text));
    }

    public override void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
    }
}
