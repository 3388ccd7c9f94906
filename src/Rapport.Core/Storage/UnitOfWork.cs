using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>
/// One write transaction. Writers add the customers whose derived state (traits, cart) must be
/// rebuilt from their events, and undo actions for in-memory caches should the commit fail.
/// </summary>
public sealed class UnitOfWork(DbConnection connection, DbTransaction transaction, SqlDialect dialect, TimeProvider clock)
{
    private readonly List<Action> _onRollback = [];

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public SqlDialect Dialect { get; } = dialect;

    public TimeProvider Clock { get; } = clock;

    public long Now => UnixTime.ToStorage(Clock.GetUtcNow());

    /// <summary>Customers whose traits and cart must be recomputed from their events before commit.</summary>
    public HashSet<long> CustomersToRebuild { get; } = [];

    public void OnRollback(Action undo) => _onRollback.Add(undo);

    internal void RunRollbackActions()
    {
        foreach (var undo in _onRollback)
        {
            undo();
        }
    }
}
