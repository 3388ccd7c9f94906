namespace Rapport.Engine.Recommendations;

/// <summary>
/// A sparse matrix in compressed rows (CSR): row r holds Columns[Starts[r]..Starts[r+1]] sorted
/// ascending with their Values. Three flat arrays, so a million entries cost 8 MB and no objects.
/// </summary>
public sealed class SparseRows
{
    public SparseRows(int rows, int columns, int[] starts, int[] columnIds, float[] values)
    {
        if (starts.Length != rows + 1 || columnIds.Length != values.Length || starts[rows] != values.Length)
        {
            throw new ArgumentException("starts must have rows+1 entries ending at the number of values.");
        }

        RowCount = rows;
        ColumnCount = columns;
        Starts = starts;
        ColumnIds = columnIds;
        Values = values;
    }

    public int RowCount { get; }

    public int ColumnCount { get; }

    public int[] Starts { get; }

    public int[] ColumnIds { get; }

    public float[] Values { get; }

    public int NonZeros => Values.Length;

    public ReadOnlySpan<int> Columns(int row) => ColumnIds.AsSpan(Starts[row], Starts[row + 1] - Starts[row]);

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(Starts[row], Starts[row + 1] - Starts[row]);

    /// <summary>The value at (row, column), 0 when absent. Binary search in the row.</summary>
    public float Get(int row, int column)
    {
        int at = Columns(row).BinarySearch(column);
        return at >= 0 ? Values[Starts[row] + at] : 0f;
    }

    /// <summary>Whether (row, column) is stored.</summary>
    public bool Contains(int row, int column) => Columns(row).BinarySearch(column) >= 0;

    /// <summary>
    /// Builds from (row, column, value) triplets; duplicates are combined by
    /// <paramref name="combine"/> (sum by default). Sorts by a counting pass per row, O(n log row).
    /// </summary>
    public static SparseRows FromTriplets(int rows, int columns, ReadOnlySpan<(int Row, int Column, float Value)> triplets, Func<float, float, float>? combine = null)
    {
        combine ??= static (a, b) => a + b;
        var counts = new int[rows + 1];
        foreach (var t in triplets)
        {
            if ((uint)t.Row >= (uint)rows || (uint)t.Column >= (uint)columns)
            {
                throw new ArgumentOutOfRangeException(nameof(triplets), $"({t.Row}, {t.Column}) is outside {rows}×{columns}.");
            }

            counts[t.Row + 1]++;
        }

        for (int r = 0; r < rows; r++)
        {
            counts[r + 1] += counts[r];
        }

        var cols = new int[triplets.Length];
        var vals = new float[triplets.Length];
        var next = (int[])counts.Clone();
        foreach (var t in triplets)
        {
            int at = next[t.Row]++;
            cols[at] = t.Column;
            vals[at] = t.Value;
        }

        // Sort each row by column and merge duplicates in place.
        var starts = new int[rows + 1];
        int write = 0;
        for (int r = 0; r < rows; r++)
        {
            int from = counts[r], to = counts[r + 1];
            Array.Sort(cols, vals, from, to - from);
            starts[r] = write;
            for (int i = from; i < to; i++)
            {
                if (write > starts[r] && cols[write - 1] == cols[i])
                {
                    vals[write - 1] = combine(vals[write - 1], vals[i]);
                }
                else
                {
                    cols[write] = cols[i];
                    vals[write] = vals[i];
                    write++;
                }
            }
        }

        starts[rows] = write;
        Array.Resize(ref cols, write);
        Array.Resize(ref vals, write);
        return new SparseRows(rows, columns, starts, cols, vals);
    }

    /// <summary>The transpose (columns become rows), still sorted.</summary>
    public SparseRows Transpose()
    {
        var starts = new int[ColumnCount + 1];
        foreach (int c in ColumnIds)
        {
            starts[c + 1]++;
        }

        for (int c = 0; c < ColumnCount; c++)
        {
            starts[c + 1] += starts[c];
        }

        var next = (int[])starts.Clone();
        var cols = new int[NonZeros];
        var vals = new float[NonZeros];
        for (int r = 0; r < RowCount; r++)
        {
            for (int i = Starts[r]; i < Starts[r + 1]; i++)
            {
                int at = next[ColumnIds[i]]++;
                cols[at] = r;
                vals[at] = Values[i];
            }
        }

        return new SparseRows(ColumnCount, RowCount, starts, cols, vals);
    }
}
