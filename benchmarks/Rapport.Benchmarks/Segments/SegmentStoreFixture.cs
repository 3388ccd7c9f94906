using System.Text.Json.Nodes;
using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;
using Rapport.Storage.Sqlite;

namespace Rapport.Benchmarks.Segments;

/// <summary>
/// The real write path (pipeline, identity, projections, live segments) over a SQLite file in
/// the temp folder, wired as the server wires it, with the system clock.
/// </summary>
internal sealed class SegmentStoreFixture : IAsyncDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"rapport-bench-{Guid.NewGuid():N}.db");

    private SegmentStoreFixture()
    {
        Db = new SqliteDatabase(_path);
        var loader = new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts()]);
        Runtime = new SegmentRuntime(loader, SegmentFields.Default);
        var segments = new SegmentProjection(Runtime);
        var events = new EventWriter(new IdentityResolver(), [new TraitsProjection(), new OrderProjection(), new CartProjection(), segments]);
        Writer = new StoreWriter(Db, TimeProvider.System, [new CustomerStateRebuilder(events), new Timed(segments, this)]);
        Pipeline = new EventPipeline(Writer, events);
        Segments = new SegmentService(Db, Writer, Runtime, loader, new SegmentJobs(Writer, Runtime, TimeProvider.System), SegmentFields.Default, TimeProvider.System);
    }

    public SqliteDatabase Db { get; }

    public SegmentRuntime Runtime { get; }

    public StoreWriter Writer { get; }

    public EventPipeline Pipeline { get; }

    public SegmentService Segments { get; }

    /// <summary>Time spent keeping memberships current (the segment step before each commit).</summary>
    public TimeSpan SegmentTime { get; private set; }

    public static async Task<SegmentStoreFixture> CreateAsync(int segments)
    {
        var f = new SegmentStoreFixture();
        await SchemaMigrator.MigrateAsync(f.Db);
        foreach (var (text, i) in SegmentDatasets.Definitions.Take(segments).Select((t, i) => (t, i)))
        {
            var created = await f.Segments.CreateAsync($"segment {i}", SegmentDefinition.Parse(text).Definition!);
            await created!.Value.Job.Completion;
        }

        return f;
    }

    /// <summary>Synthetic events as a tracking library would send them: one userId per customer.</summary>
    public static IncomingEvent[] Incoming((long Customer, BehaviourEvent Event)[] events, string prefix) =>
        events.Select((x, i) => new IncomingEvent(
            $"{prefix}-{i}", x.Event.Type, x.Event.Name, x.Event.Channel, UserId(x.Customer), null,
            DateTimeOffset.FromUnixTimeMilliseconds(x.Event.OccurredAtMs),
            x.Event.Properties is { } p ? (JsonObject)p.DeepClone() : [], null, null)).ToArray();

    /// <summary>Zero-padded, so text order is numeric order and seeding appends to every index in order.</summary>
    public static string UserId(long customer) => $"user-{customer:D8}";

    /// <summary>
    /// Appends customers, their user_id identifiers and events straight into the tables (the
    /// bulk path imports use), sorted so that every index is appended in order: 10M events would
    /// otherwise spend most of their time on random B-tree pages.
    /// </summary>
    public async Task SeedAsync(int customers, (long Customer, BehaviourEvent Event)[] events)
    {
        var now = UnixTime.ToStorage(TimeProvider.System.GetUtcNow());
        Array.Sort(events, (a, b) => a.Customer != b.Customer ? a.Customer.CompareTo(b.Customer) : a.Event.OccurredAtMs.CompareTo(b.Event.OccurredAtMs));
        await Writer.WriteAsync(async unit =>
        {
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "customers", ["id", "created_at"],
                Enumerable.Range(1, customers).Select(i => new object?[] { (long)i, now }));
            await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "identifiers", ["kind", "value", "customer_id", "first_seen_at"],
                Enumerable.Range(1, customers).Select(i => new object?[] { Identifier.UserId, UserId(i), (long)i, now }));
            return 0;
        });
        foreach (var chunk in events.Select((e, i) => (e, i)).Chunk(500_000))
        {
            await Writer.WriteAsync(async unit =>
            {
                await unit.Dialect.BulkInsertAsync(unit.Connection, unit.Transaction, "events",
                    ["message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value", "occurred_at", "received_at", "properties"],
                    chunk.Select(x => new object?[]
                    {
                        $"seed-{x.i:D9}", x.e.Event.Type, x.e.Event.Name, x.e.Event.Channel, x.e.Customer, Identifier.UserId, UserId(x.e.Customer),
                        x.e.Event.OccurredAtMs, now, x.e.Event.Properties?.ToJsonString() ?? "{}",
                    }));
                return 0;
            });
        }
    }

    /// <summary>Measures the segment step: everything live membership does in a write happens there.</summary>
    private sealed class Timed(IBeforeCommit inner, SegmentStoreFixture fixture) : IBeforeCommit
    {
        public async Task BeforeCommitAsync(UnitOfWork unit, CancellationToken cancellationToken)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            await inner.BeforeCommitAsync(unit, cancellationToken);
            fixture.SegmentTime += System.Diagnostics.Stopwatch.GetElapsedTime(start);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Writer.Dispose();
        await Db.DisposeAsync();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
