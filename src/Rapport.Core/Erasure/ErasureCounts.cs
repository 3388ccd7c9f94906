namespace Rapport.Core.Erasure;

/// <summary>Rows changed or removed per table by one erasure: the report staff see and the request's note.</summary>
public sealed class ErasureCounts
{
    private readonly SortedDictionary<string, long> _rows = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> Rows => _rows;

    public void Add(string table, long rows)
    {
        if (rows > 0)
        {
            _rows[table] = _rows.GetValueOrDefault(table) + rows;
        }
    }

    public override string ToString() => _rows.Count == 0 ? "nothing to erase" : string.Join(", ", _rows.Select(r => $"{r.Key} {r.Value}"));
}
