using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Needs;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Events;

/// <summary>The real write path (pipeline, identity, projections) over a fresh store, with a fake clock.</summary>
internal sealed class CoreHarness : IAsyncDisposable
{
    private Rapport.Core.Actions.DecisionFactsInvalidation? _decisionFactsInvalidation;

    private CoreHarness(TestDatabase db)
    {
        Db = db;
        Identity = new IdentityResolver();
        var loader = new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts(), new NeedsFacts()]);
        SegmentRuntime = new SegmentRuntime(loader, SegmentFields.Default);
        var segments = new SegmentProjection(SegmentRuntime);
        var writer = Events = new EventWriter(Identity, [new TraitsProjection(), new OrderProjection(), new CartProjection(), new ValueProjection(Population), new NeedsProjection(NeedsPending), new Rapport.Core.Consent.ConsentProjection(), segments, DecisionFactsInvalidation]);
        Writer = new StoreWriter(db, Clock, [new CustomerStateRebuilder(writer), segments, DecisionFactsInvalidation]);
        Segments = new SegmentService(db, Writer, SegmentRuntime, loader, new SegmentJobs(Writer, SegmentRuntime, Clock), SegmentFields.Default, Clock);
        SegmentStore = new SegmentStore(db);
        Pipeline = new EventPipeline(Writer, writer);
        Customers = new CustomerQueries(db);
        Commerce = new CommerceQueries(db, Clock);
        Merges = new Merges(db, Writer, Identity);
        NeedsRecompute = new NeedsRecompute(Writer, NeedsOptions, NeedsModels, new NeedsClusterFitter(Writer, NeedsModels, SegmentRuntime), SegmentRuntime, Clock);
        Needs = new NeedsQueries(db);
        NeedsRefresher = new NeedsRefresher(Writer, NeedsPending, NeedsOptions, NeedsModels, SegmentRuntime, Clock);
    }

    public NeedsOptions NeedsOptions { get; } = new();

    public NeedsModelCache NeedsModels { get; } = new();

    public NeedsRecompute NeedsRecompute { get; }

    /// <summary>Customers marked by ingestion; <see cref="SendAsync"/> drains them like the server's refresher does moments later.</summary>
    public NeedsPending NeedsPending { get; } = new();

    public NeedsRefresher NeedsRefresher { get; }

    public NeedsQueries Needs { get; }

    public TestDatabase Db { get; }

    /// <summary>Next best action's in-memory customer facts, kept fresh by the writes of this harness (last projection and hook, as in the host).</summary>
    public Rapport.Core.Actions.DecisionFactsCache DecisionFacts { get; } = new();

    public Rapport.Core.Actions.DecisionFactsInvalidation DecisionFactsInvalidation => _decisionFactsInvalidation ??= new(DecisionFacts);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

    public IdentityResolver Identity { get; }

    public EventWriter Events { get; }

    /// <summary>The population value scores are kept against (shared by the projection and value services).</summary>
    public ValuePopulationCache Population { get; } = new();

    public StoreWriter Writer { get; }

    public EventPipeline Pipeline { get; }

    public CustomerQueries Customers { get; }

    public CommerceQueries Commerce { get; }

    public Merges Merges { get; }

    public SegmentRuntime SegmentRuntime { get; }

    public SegmentService Segments { get; }

    public SegmentStore SegmentStore { get; }

    public static async Task<CoreHarness> CreateAsync(StoreKind kind) => new(await TestStores.CreateAsync(kind));

    /// <summary>Ingests, then refreshes marked customers' needs (the server does it in the background moments later).</summary>
    public async Task<IngestResult> SendAsync(params IncomingEvent[] events)
    {
        var result = await Pipeline.IngestAsync(events);
        await NeedsRefresher.DrainAsync();
        return result;
    }

    /// <summary>Ingests without refreshing needs, as the server's ingest transaction does.</summary>
    public Task<IngestResult> SendOnlyAsync(params IncomingEvent[] events) => Pipeline.IngestAsync(events);

    public async Task<long> OwnerAsync(string kind, string value) =>
        await Customers.LookupAsync(kind, value) ?? throw new InvalidOperationException($"nobody has {kind}:{value}");

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Writer.Dispose();
        await Db.DisposeAsync();
    }
}

/// <summary>Builds messages as a tracking library would send them.</summary>
internal static class Ev
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    public static IncomingEvent Track(string id, int minute, string name, JsonObject? props = null, string? user = null, string? anon = null, string channel = Channels.Web) =>
        new(id, "track", name, channel, user, anon, At(minute), props ?? [], null, null);

    public static IncomingEvent Identify(string id, int minute, JsonObject traits, string? user = null, string? anon = null, string channel = Channels.Web) =>
        new(id, "identify", null, channel, user, anon, At(minute), traits, traits, null);

    public static IncomingEvent Page(string id, int minute, string? user = null, string? anon = null) =>
        new(id, "page", "Home", Channels.Web, user, anon, At(minute), [], null, null);

    public static IncomingEvent Alias(string id, int minute, string previousId, string user) =>
        new(id, "alias", null, Channels.Web, user, null, At(minute), new JsonObject { ["previousId"] = previousId }, null, null, previousId);

    public static JsonObject Product(string sku, decimal price, int quantity = 1, string? category = null) =>
        new() { ["product_id"] = sku, ["name"] = sku + " name", ["price"] = price, ["quantity"] = quantity, ["category"] = category };

    public static JsonObject Order(string orderId, params (string Sku, decimal Price, int Qty)[] lines) => new()
    {
        ["order_id"] = orderId,
        ["total"] = lines.Sum(l => l.Price * l.Qty),
        ["currency"] = "GBP",
        ["products"] = new JsonArray(lines.Select(l => (JsonNode)Product(l.Sku, l.Price, l.Qty)).ToArray()),
    };
}
