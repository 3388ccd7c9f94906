using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Storage;

/// <summary>
/// StoreWriter.WriteGroupedAsync: callers queued while the writer is busy share one transaction,
/// each in its own savepoint, and learn their outcome only after the COMMIT.
/// </summary>
public sealed class GroupCommitTests
{
    [Theory, BothStores]
    public async Task FailingMember_RollsBackOnlyItsOwnWork_AndOnlyItsCallerGetsTheError(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        using var writer = new StoreWriter(db, new FakeTimeProvider(), []);
        var rolledBack = new List<string>();

        var (first, duplicate, thrown, last) = await WhileWriterIsBusy(writer, () =>
        (
            writer.WriteGroupedAsync(async unit => { await Insert(unit, 1, "first"); return await CommittedRows(db); }),
            writer.WriteGroupedAsync(async unit =>
            {
                unit.OnRollback(() => rolledBack.Add("duplicate"));
                await Insert(unit, 2, "kept only if the member succeeds");
                await Insert(unit, 1, "same id again: a real constraint error");
                return 0L;
            }),
            writer.WriteGroupedAsync<long>(async unit =>
            {
                unit.OnRollback(() => rolledBack.Add("thrown"));
                await Insert(unit, 3, "also rolled back");
                throw new InvalidOperationException("member three refuses");
            }),
            writer.WriteGroupedAsync(async unit => { await Insert(unit, 4, "last"); return await CommittedRows(db); })
        ));

        Assert.Equal((0L, 0L), (await first, await last));   // one shared transaction: the first was not committed alone
        await Assert.ThrowsAnyAsync<DbException>(() => duplicate);
        Assert.Equal("member three refuses", (await Assert.ThrowsAsync<InvalidOperationException>(() => thrown)).Message);
        Assert.Equal(["duplicate", "thrown"], rolledBack);
        Assert.Equal([1L, 4L], await Ids(db));
    }

    [Theory, BothStores]
    public async Task CommitFails_NoMemberIsStored_AndEveryCallerGetsTheError(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        using var writer = new StoreWriter(db, new FakeTimeProvider(), []);
        var rolledBack = new List<long>();
        var committed = new List<long>();

        Task<DbTransaction> Member(long id, long parent) => writer.WriteGroupedAsync(async unit =>
        {
            unit.OnRollback(() => rolledBack.Add(id));
            unit.OnCommit(() => committed.Add(id));
            // The foreign key is checked only at COMMIT (deferred), so every member succeeds
            // on its own and the shared COMMIT is what fails.
            await unit.Connection.ExecuteAsync("INSERT INTO child (id, parent_id) VALUES (@id, @parent)", new { id, parent }, unit.Transaction);
            return unit.Transaction;
        });

        var members = await WhileWriterIsBusy(writer, () => new[] { Member(1, 1), Member(2, 999), Member(3, 1) });

        foreach (var member in members)
        {
            await Assert.ThrowsAnyAsync<DbException>(() => member);
        }

        Assert.Equal([1L, 2L, 3L], rolledBack);
        Assert.Empty(committed);
        await using var c = await db.OpenAsync();
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM child"));

        // The writer still works after a failed group.
        await writer.WriteGroupedAsync(unit => unit.Connection.ExecuteAsync("INSERT INTO child (id, parent_id) VALUES (7, 1)", transaction: unit.Transaction));
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM child"));
    }

    [Theory, BothStores]
    public async Task QueuedMembers_RunInArrivalOrder_SeeEarlierMembersWrites_AndSplitAtTheCap(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        using var writer = new StoreWriter(db, new FakeTimeProvider(), []) { MaxGroupSize = 10 };

        var members = await WhileWriterIsBusy(writer, () => Enumerable.Range(1, 45).Select(i => writer.WriteGroupedAsync(async unit =>
        {
            var before = await unit.Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch", transaction: unit.Transaction);
            await Insert(unit, i, $"member {i}");
            return (before, committed: await CommittedRows(db));
        })).ToArray());

        var results = await Task.WhenAll(members);
        Assert.Equal(Enumerable.Range(0, 45).Select(i => (long)i), results.Select(r => r.before));
        // Groups of 10: members 1-10 run before any commit, 11-20 after the first, and so on.
        Assert.Equal(Enumerable.Range(0, 45).Select(i => (long)(i / 10 * 10)), results.Select(r => r.committed));
        Assert.Equal(Enumerable.Range(1, 45).Select(i => (long)i), await Ids(db));
    }

    [Theory, BothStores]
    public async Task CallerCompletes_OnlyAfterTheSharedCommit(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        using var writer = new StoreWriter(db, new FakeTimeProvider(), []);
        var slowMemberStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseSlowMember = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var (quick, slow) = await WhileWriterIsBusy(writer, () =>
        (
            writer.WriteGroupedAsync(unit => Insert(unit, 1, "quick")),
            writer.WriteGroupedAsync(async unit =>
            {
                slowMemberStarted.SetResult();
                await releaseSlowMember.Task;
                return await Insert(unit, 2, "slow");
            })
        ));

        await slowMemberStarted.Task;
        await Task.Delay(100);
        Assert.False(quick.IsCompleted, "the quick member's work is done but not yet committed");
        await using (var c = await db.OpenAsync())
        {
            Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch"));
        }

        releaseSlowMember.SetResult();
        await Task.WhenAll(quick, slow);
        Assert.Equal([1L, 2L], await Ids(db));
    }

    [Theory, BothStores]
    public async Task ManyConcurrentCallers_MixedWithPlainWrites_AllStored(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        using var writer = new StoreWriter(db, new FakeTimeProvider(), []);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var grouped = Enumerable.Range(1, 300).Select(i => Task.Run(() => writer.WriteGroupedAsync(unit => Insert(unit, i, "grouped"))));
        var plain = Enumerable.Range(1001, 20).Select(i => Task.Run(() => writer.WriteAsync(unit => Insert(unit, i, "plain"))));
        var neverRun = writer.WriteGroupedAsync(unit => Insert(unit, 5000, "cancelled before it ran"), cancelled.Token);
        await Task.WhenAll(grouped.Concat(plain));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => neverRun);
        Assert.Equal(Enumerable.Range(1, 300).Concat(Enumerable.Range(1001, 20)).Select(i => (long)i), await Ids(db));
    }

    [Theory, BothStores]
    public async Task LaterGroups_ReuseTheConnectionAndCompiledStatements_UntilAGroupFails(StoreKind store)
    {
        await using var db = await CreateAsync(store);
        await using var writer = new StoreWriter(db, new FakeTimeProvider(), []);
        const string sql = "INSERT INTO scratch (id, name) VALUES (@id, @name)";

        Task<(DbConnection, PreparedStatement)> Member(long id) => writer.WriteGroupedAsync(async unit =>
        {
            var statement = unit.Statement(sql, "@id", "@name");
            await statement.ExecuteAsync(id, $"group of {id}");
            return (unit.Connection, statement);
        });

        // Three groups one after the other: each commits its own row through the same statement.
        var first = await Member(1);
        var second = await Member(2);
        var third = await Member(3);
        Assert.Same(first.Item1, second.Item1);
        Assert.Same(first.Item2, second.Item2);
        Assert.Same(first.Item2, third.Item2);
        Assert.Equal([1L, 2L, 3L], await Ids(db));

        // A failed COMMIT closes the session: the next group compiles on a fresh connection.
        var failing = writer.WriteGroupedAsync(unit =>
            unit.Connection.ExecuteAsync("INSERT INTO child (id, parent_id) VALUES (1, 999)", transaction: unit.Transaction));
        await Assert.ThrowsAnyAsync<DbException>(() => failing);
        var after = await Member(4);
        Assert.NotSame(first.Item1, after.Item1);
        Assert.NotSame(first.Item2, after.Item2);
        Assert.Equal([1L, 2L, 3L, 4L], await Ids(db));
    }

    /// <summary>Queues members while a plain write holds the writer, so they all wait for one group.</summary>
    private static async Task<T> WhileWriterIsBusy<T>(StoreWriter writer, Func<T> enqueue)
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = writer.WriteAsync(async _ =>
        {
            holding.SetResult();
            await release.Task;
            return 0;
        });
        await holding.Task;
        var queued = enqueue();
        release.SetResult();
        await busy;
        return queued;
    }

    private static async Task<DbTransaction> Insert(UnitOfWork unit, long id, string name)
    {
        await unit.Statement("INSERT INTO scratch (id, name) VALUES (@id, @name)", "@id", "@name").ExecuteAsync(id, name);
        return unit.Transaction;
    }

    /// <summary>Rows other connections can see, i.e. committed ones.</summary>
    private static async Task<long> CommittedRows(IDatabase db)
    {
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch");
    }

    private static async Task<List<long>> Ids(IDatabase db)
    {
        await using var c = await db.OpenAsync();
        return (await c.QueryAsync<long>("SELECT id FROM scratch ORDER BY id")).ToList();
    }

    private static async Task<TestDatabase> CreateAsync(StoreKind store)
    {
        var db = await TestStores.CreateEmptyAsync(store);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("CREATE TABLE scratch (id BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)");
        await c.ExecuteAsync("CREATE TABLE parent (id BIGINT NOT NULL PRIMARY KEY)");
        await c.ExecuteAsync("CREATE TABLE child (id BIGINT NOT NULL PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
        await c.ExecuteAsync("INSERT INTO parent (id) VALUES (1)");
        return db;
    }
}
