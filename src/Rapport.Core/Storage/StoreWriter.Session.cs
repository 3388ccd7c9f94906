using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>
/// The connection commit groups run on, kept open across groups together with the statements
/// they compiled. Opening a pooled connection costs its setup (seven PRAGMAs on SQLite) and a
/// fresh connection has every hot statement to parse and plan again: at 1,000 small writes a
/// second that was a large part of each group's cost. The session is only used under the
/// writer's gate; between groups it holds no transaction (and so no lock or snapshot). Any
/// failure of a group drops it, so a broken connection is never reused.
/// </summary>
public sealed partial class StoreWriter : IAsyncDisposable
{
    private GroupSession? _session;

    /// <summary>Must be called under the gate.</summary>
    private async Task<GroupSession> SessionAsync()
    {
        if (_session is null)
        {
            var connection = await database.OpenAsync();
            _session = new GroupSession(connection);
        }

        return _session;
    }

    /// <summary>Closes the session after a failure; the next group opens a new one. Under the gate.</summary>
    private async Task DropSessionAsync()
    {
        if (_session is not { } session)
        {
            return;
        }

        _session = null;
        try
        {
            await session.DisposeAsync();
        }
        catch (DbException)
        {
            // The connection is already broken; there is nothing left to release.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await DropSessionAsync();
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    /// <summary>For callers that dispose synchronously (`using var writer`); the statements' disposal completes at once on both stores.</summary>
    public void Dispose()
    {
        if (_session is { } session)
        {
            _session = null;
            session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _gate.Dispose();
    }

    private sealed class GroupSession(DbConnection connection) : IAsyncDisposable
    {
        public DbConnection Connection => connection;

        /// <summary>Compiled statements by SQL, shared by every member of every group.</summary>
        public Dictionary<string, PreparedStatement> Statements { get; } = new(StringComparer.Ordinal);

        /// <summary>Points the compiled statements at this group's transaction (PostgreSQL's commands carry one).</summary>
        public void Enlist(DbTransaction transaction)
        {
            foreach (var statement in Statements.Values)
            {
                statement.UseTransaction(transaction);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var statement in Statements.Values)
            {
                await statement.DisposeAsync();
            }

            Statements.Clear();
            await connection.DisposeAsync();
        }
    }
}
