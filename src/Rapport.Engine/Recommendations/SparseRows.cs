namespace Rapport.Engine.Recommendations;

/// <summary>
/// A sparse matrix in compressed rows (CSR): row r holds Columns[Starts[r]..Starts[r+1]] sorted
/// ascending with their Values. Three flat arrays, so a million entries cost 8 MB and no objects.
/// </summary>
public sealed class SparseRows
{
    /// <summary>Receives one (row, column, value) triplet.</summary>
    public delegate void TripletSink(int row, int column, float value);

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
        var counts = new int[rows + 1];
        foreach (var t in triplets)
        {
            Count(counts, rows, columns, t.Row, t.Column);
        }

        var (next, cols, vals) = Slots(counts, rows);
        foreach (var t in triplets)
        {
            int at = next[t.Row]++;
            cols[at] = t.Column;
            vals[at] = t.Value;
        }

        return SortAndMerge(rows, columns, counts, cols, vals, combine);
    }

    /// <summary>
    /// Builds from triplets that <paramref name="emit"/> produces by calling its sink, without ever
    /// holding them in one array: <paramref name="emit"/> is called twice (to count each row's
    /// entries, then to place them) and must produce the same triplets in the same order both
    /// times. For millions of interactions this saves the triplet array (12 bytes each) on the
    /// large-object heap.
    /// </summary>
    public static SparseRows FromTriplets(int rows, int columns, Action<TripletSink> emit, Func<float, float, float>? combine = null)
    {
        var counts = new int[rows + 1];
        emit((row, column, _) => Count(counts, rows, columns, row, column));
        var (next, cols, vals) = Slots(counts, rows);
        int placed = 0;
        emit((row, column, value) =>
        {
            int at = next[row]++;
            if (at >= counts[row + 1])
            {
                throw new InvalidOperationException("emit produced more triplets for a row the second time than the first.");
            }

            cols[at] = column;
            vals[at] = value;
            placed++;
        });
        if (placed != cols.Length)
        {
            throw new InvalidOperationException($"emit produced {placed} triplets the second time and {cols.Length} the first.");
        }

        return SortAndMerge(rows, columns, counts, cols, vals, combine);
    }

    private static void Count(int[] counts, int rows, int columns, int row, int column)
    {
        if ((uint)row >= (uint)rows || (uint)column >= (uint)columns)
        {
            throw new ArgumentOutOfRangeException(nameof(row), $"The triplet ({row}, {column}) is outside {rows}×{columns}.");
        }

        counts[row + 1]++;
    }

    /// <summary>Turns per-row counts into row starts; returns each row's next free slot and the unsorted column and value arrays.</summary>
    private static (int[] Next, int[] Cols, float[] Vals) Slots(int[] counts, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            counts[r + 1] += counts[r];
        }

        return ((int[])counts.Clone(), new int[counts[rows]], new float[counts[rows]]);
    }

    /// <summary>Sorts each row by column and merges duplicates in place, then trims.</summary>
    private static SparseRows SortAndMerge(int rows, int columns, int[] counts, int[] cols, float[] vals, Func<float, float, float>? combine)
    {
        combine ??= static (a, b) => a + b;
        var starts = counts; // reused: row r's old start is read before starts[r] is overwritten with a value no larger
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
