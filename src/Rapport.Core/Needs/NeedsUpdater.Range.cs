using System.Data.Common;
using Rapport.Core.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>The bulk recomputation's read and compute of one id range (<see cref="NeedsRecompute"/>).</summary>
public static partial class NeedsUpdater
{
    /// <summary>
    /// The bulk recomputation's read: <paramref name="customers"/> are live customers in id order,
    /// read as one id range (one range scan per table; customers in the range that are not in
    /// the list, absorbed by a merge, are left alone).
    /// </summary>
    public static Task<NeedsComputation> ComputeRangeAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, long[] customers, NeedsSettings settings, NeedsModel? model, long now, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        // Read and computed on this thread before returning: the buffer goes back for the next range after.
        var buffer = Buffers.TryTake(out var b) ? b : new NeedsHistoryBuffer();
        try
        {
            return Task.FromResult(ComputeRange(c, tx, dialect, customers, settings, model, now, buffer));
        }
        finally
        {
            buffer.Clear();
            Buffers.Add(buffer);
        }
    }

    /// <summary>The bulk readers' buffers, reused range after range (one per reader running at once).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentBag<NeedsHistoryBuffer> Buffers = [];

    private static NeedsComputation ComputeRange(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, long[] customers, NeedsSettings settings, NeedsModel? model, long now, NeedsHistoryBuffer buffer)
    {
        var histories = NeedsBulkReader.ReadRange(c, tx, dialect, customers[0], customers[^1], buffer);
        var stored = new Dictionary<long, long>(customers.Length);
        using (var r = dialect.OpenCursor(c, tx, "SELECT customer_id, fingerprint FROM customer_needs WHERE customer_id BETWEEN @first AND @last",
            [("first", customers[0]), ("last", customers[^1])]))
        {
            while (r.Read())
            {
                stored[r.GetInt64(0)] = r.GetInt64(1);
            }
        }

        return Compute(customers, histories, stored, settings, model, now);
    }
}
