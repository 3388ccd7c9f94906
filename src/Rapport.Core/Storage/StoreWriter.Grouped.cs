using System.Collections.Concurrent;
using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>
/// Group commit: concurrent small writes share one transaction and so one COMMIT (one fsync on
/// SQLite, one round trip and WAL flush on PostgreSQL), which is what limits single-row writes.
/// Each caller's work runs in its own SAVEPOINT, so a caller that throws rolls back only its own
/// work and gets its own exception; the others go on. The transaction commits when the queue is
/// empty or <see cref="MaxGroupSize"/> callers have run, and every caller's task completes only
/// after that COMMIT: a caller that got its result knows its work is durable. Callers run in the
/// order they arrived, and the group holds the same gate as <see cref="WriteAsync{T}"/>. Members
/// share the statements compiled with <see cref="UnitOfWork.Statement"/>, and later groups reuse
/// them on the same connection (StoreWriter.Session.cs), so a hot statement is compiled once.
/// </summary>
public sealed partial class StoreWriter
{
    private readonly ConcurrentQueue<GroupMember> _waiting = new();
    private int _draining;

    /// <summary>How many callers share one transaction at most, so one commit's wait stays bounded.</summary>
    public int MaxGroupSize { get; set; } = 256;

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction shared with other concurrent callers, inside
    /// its own savepoint. Before-commit hooks run for this caller inside the same savepoint.
    /// Completes after the shared COMMIT; if the COMMIT fails, every caller of the group gets
    /// that exception and none of their work is stored.
    /// </summary>
    public Task<T> WriteGroupedAsync<T>(Func<UnitOfWork, Task<T>> work, CancellationToken cancellationToken = default)
    {
        var member = new GroupMember<T>(work, cancellationToken);
        _waiting.Enqueue(member);
        StartDrainingIfIdle();
        return member.Task;
    }

    private void StartDrainingIfIdle()
    {
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            while (!_waiting.IsEmpty)
            {
                await _gate.WaitAsync();
                try
                {
                    await CommitGroupAsync();
                }
                finally
                {
                    _gate.Release();
                }
            }

            Volatile.Write(ref _draining, 0);

            // A caller may have enqueued after the emptiness check but before the flag was
            // cleared; it saw the flag set and did not start a drainer, so take over its work.
            if (_waiting.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task CommitGroupAsync()
    {
        var done = new List<GroupMember>();
        var started = false;
        GroupMember? current = null;
        try
        {
            var session = await SessionAsync();
            await using var transaction = await session.Connection.BeginTransactionAsync();
            started = true;
            session.Enlist(transaction);
            while (done.Count < MaxGroupSize && _waiting.TryDequeue(out current))
            {
                if (await RunMemberAsync(current, session.Connection, transaction, session.Statements))
                {
                    done.Add(current);
                }
            }

            current = null;
            await transaction.CommitAsync();
        }
        catch (Exception error)
        {
            // The shared transaction is lost (COMMIT failed, or the connection broke): nothing of
            // the group is stored, so every caller whose work had succeeded gets the error too.
            // If no transaction could even be begun, the callers at the head of the queue get the
            // error, so a store that is down fails requests instead of retrying them forever.
            await DropSessionAsync();
            foreach (var member in done.Append(current))
            {
                if (member?.Fail(error) == true)
                {
                    member.Unit?.RunRollbackActions();
                }
            }

            while (!started && done.Count < MaxGroupSize && _waiting.TryDequeue(out var waiting))
            {
                done.Add(waiting);
                _ = waiting.Fail(error);
            }

            return;
        }

        foreach (var member in done)
        {
            try
            {
                member.Unit!.RunCommitActions();
                member.Succeed();
            }
            catch (Exception error)
            {
                _ = member.Fail(error);
            }
        }
    }

    /// <summary>
    /// One caller's work in its own savepoint; false if it failed and was rolled back alone.
    /// Throws only when the shared transaction itself can no longer be used.
    /// </summary>
    private async Task<bool> RunMemberAsync(
        GroupMember member, DbConnection connection, DbTransaction transaction, Dictionary<string, PreparedStatement> statements)
    {
        if (member.CancellationToken.IsCancellationRequested)
        {
            member.Cancel();
            return false;
        }

        const string savepoint = "grouped_write";
        var unit = new UnitOfWork(connection, transaction, database.Dialect, clock, statements);

        // Compiled once per session like the members' own statements: SaveAsync/ReleaseAsync
        // would parse the command again for every member.
        await unit.Statement("SAVEPOINT " + savepoint).ExecuteAsync();
        member.Unit = unit;
        try
        {
            await member.RunAsync(unit);
            foreach (var hook in _beforeCommit)
            {
                await hook.BeforeCommitAsync(unit, member.CancellationToken);
            }
        }
        catch (Exception error)
        {
            unit.RunRollbackActions();
            _ = member.Fail(error);

            // If this throws the transaction is unusable; CommitGroupAsync fails the others.
            await transaction.RollbackAsync(savepoint);
            await transaction.ReleaseAsync(savepoint);
            return false;
        }

        await unit.Statement("RELEASE SAVEPOINT " + savepoint).ExecuteAsync();
        return true;
    }

    /// <summary>A caller waiting in the queue, with its result held back until the COMMIT.</summary>
    private abstract class GroupMember(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public UnitOfWork? Unit { get; set; }

        public abstract Task RunAsync(UnitOfWork unit);

        public abstract void Succeed();

        /// <summary>False if the caller already had its outcome.</summary>
        public abstract bool Fail(Exception error);

        public abstract void Cancel();
    }

    private sealed class GroupMember<T>(Func<UnitOfWork, Task<T>> work, CancellationToken cancellationToken) : GroupMember(cancellationToken)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override async Task RunAsync(UnitOfWork unit) => _result = await work(unit);

        public override void Succeed() => _completion.TrySetResult(_result);

        public override bool Fail(Exception error) => _completion.TrySetException(error);

        public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
    }
}
