using System.Collections.Concurrent;
using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>
/// Bulk readers (<see cref="IDatabase.OpenBulkReaderAsync"/>) kept open for a whole job and lent
/// to its parallel parts in turn: a job that reads in many small parts would otherwise open a
/// connection (and prepare its statements again) for each. A reader is used by one part at a
/// time; each statement still sees the store as committed when it starts, as on a fresh one.
/// </summary>
public sealed class BulkReaders(IDatabase database) : IAsyncDisposable
{
    private readonly ConcurrentBag<DbConnection> _idle = [];
    private readonly ConcurrentBag<DbConnection> _all = [];

    /// <summary>An idle reader, or a new one when all are lent out.</summary>
    public async Task<DbConnection> TakeAsync(CancellationToken ct)
    {
        if (_idle.TryTake(out var reader))
        {
            return reader;
        }

        reader = await database.OpenBulkReaderAsync(ct);
        _all.Add(reader);
        return reader;
    }

    /// <summary>Gives a reader back for the next part.</summary>
    public void Return(DbConnection reader) => _idle.Add(reader);

    public async ValueTask DisposeAsync()
    {
        foreach (var reader in _all)
        {
            await reader.DisposeAsync();
        }
    }
}
