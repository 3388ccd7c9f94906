namespace Rapport.Core.Storage;

/// <summary>
/// Serialises every write in this process: SQLite allows one writer anyway, and the identity
/// caches stay consistent because only one transaction changes them at a time. Callers batch
/// (the event pipeline groups many HTTP requests into one transaction) so this is not the
/// bottleneck it looks like. Independent requests that each write a little (earn points, redeem)
/// use <see cref="WriteGroupedAsync"/> instead, which shares one commit among concurrent callers.
/// </summary>
public sealed partial class StoreWriter(IDatabase database, TimeProvider clock, IEnumerable<IBeforeCommit> beforeCommit) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IBeforeCommit[] _beforeCommit = beforeCommit.ToArray();

    public IDatabase Database => database;

    public async Task<T> WriteAsync<T>(Func<UnitOfWork, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var unit = new UnitOfWork(connection, transaction, database.Dialect, clock);
            try
            {
                var result = await work(unit);
                foreach (var hook in _beforeCommit)
                {
                    await hook.BeforeCommitAsync(unit, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                unit.RunCommitActions();
                return result;
            }
            catch
            {
                unit.RunRollbackActions();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

}

/// <summary>Work every write transaction ends with, such as rebuilding customers' derived state.</summary>
public interface IBeforeCommit
{
    Task BeforeCommitAsync(UnitOfWork unit, CancellationToken cancellationToken);
}
