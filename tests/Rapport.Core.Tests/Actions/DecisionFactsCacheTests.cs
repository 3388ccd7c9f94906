using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Actions;
using Rapport.Core.Consent;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Segments;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Actions;

/// <summary>
/// Next best action served from <see cref="DecisionFactsCache"/>: after each kind of change (a
/// segment membership, consent withdrawn, a value change, a decision on another channel, a merge)
/// what a cached engine reads equals what an engine without a cache reads from the store, the
/// stale entry was dropped rather than luckily equal, and the decision shows the change. Warm
/// requests read nothing (the engine's read-side queries are counted by a fresh cache hit).
/// </summary>
public sealed class DecisionFactsCacheTests
{
    private sealed class Setup(CoreHarness h)
    {
        private readonly ActionCatalog _catalog = new(h.Db, h.Writer, SegmentFields.Default);
        private readonly ConsentOptions _options = new();

        public NextBestActionEngine Cached => Engine(h.DecisionFacts);

        public NextBestActionEngine Uncached => Engine(null);

        public ConsentService Consent => new(h.Db, h.Writer, _options, h.Clock);

        public async Task<long> AddAsync(string json)
        {
            var (action, errors) = ActionDefinitionParser.Parse((JsonObject)JsonNode.Parse(json)!, 0, _ => true, SegmentFields.Default);
            Assert.Empty(errors);
            return (await _catalog.CreateAsync(action!))!.Value;
        }

        public Task ConsentAsync(long customer, string json) =>
            Consent.UpdateAsync(customer, ConsentRequestParser.Parse((JsonObject)JsonNode.Parse(json)!, "test").Update!, replace: false);

        /// <summary>The cached engine reads what the store holds (cached first: the uncached engine's reads do not touch the cache).</summary>
        public async Task AssertSameAsync(long customer, string channel)
        {
            var cached = await Cached.InputsAsync(customer, channel);
            Assert.NotNull(h.DecisionFacts.Read(customer));
            Assert.Equal(await Uncached.InputsAsync(customer, channel), cached);
        }

        private NextBestActionEngine Engine(DecisionFactsCache? cache) => new(h.Db, h.Writer, _catalog, new ContactPolicy(h.Db, _options),
            new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts()]), new HistoryProductSuggestions(h.Db), h.Clock,
            new Rapport.Core.Loyalty.ReciprocityQueries(h.Db, new Rapport.Core.Loyalty.LoyaltyProgramStore(h.Db, h.Clock)), cache);
    }

    private static async Task<(CoreHarness H, Setup S, long Ann)> StartAsync(StoreKind store)
    {
        var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["firstName"] = "Ann", ["plan"] = "basic" }, user: "ann"));
        h.Clock.SetUtcNow(Ev.At(60));
        var s = new Setup(h);
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        await s.ConsentAsync(ann, """{"consents": {"marketing": true}}""");
        await s.AddAsync("""{"name": "Thank-you gift", "kind": "surprise", "purpose": "marketing", "channels": ["web", "email"], "cooldownHours": 24, "reason": "{loyalty}"}""");
        await s.AddAsync("""{"name": "Lamp offer", "kind": "product_offer", "purpose": "marketing", "channels": ["web"], "condition": "viewed(last 7 days)"}""");
        return (h, s, ann);
    }

    /// <summary>Warms the cache with one decision and checks it is served from memory.</summary>
    private static async Task WarmAsync(CoreHarness h, Setup s, long customer)
    {
        await s.Cached.DecideAsync(customer, "web", null, 3);
        Assert.NotNull(h.DecisionFacts.Read(customer));
        await s.AssertSameAsync(customer, "web");
    }

    [Theory, BothStores]
    public async Task Membership_SegmentComputedAfterCaching_DropsAndEqualsTheStore(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await WarmAsync(h, s, ann);

        var basic = await h.CreateAsync("Basic plan", "traits.plan = \"basic\""); // computed by a job: no event of Ann's
        Assert.Null(h.DecisionFacts.Read(ann));
        await s.AssertSameAsync(ann, "web");
        var offer = await s.AddAsync($$"""{"name": "Basic upgrade", "kind": "content", "purpose": "marketing", "channels": ["web"], "segments": [{{basic}}], "reason": "for {segment}"}""");

        var decided = (await s.Cached.DecideAsync(ann, "web", null, 3))!;
        Assert.Equal("for Basic plan", decided.Actions.Single(a => a.ActionId == offer).Reason);
    }

    [Theory, BothStores]
    public async Task ConsentWithdrawn_DropsAndTheNextDecisionHasNone(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        h.Clock.Advance(TimeSpan.FromDays(2));
        await WarmAsync(h, s, ann);

        await s.ConsentAsync(ann, """{"consents": {"marketing": false}}""");
        Assert.Null(h.DecisionFacts.Read(ann));
        await s.AssertSameAsync(ann, "web");

        h.Clock.Advance(TimeSpan.FromDays(2)); // past the gift's cool-down: only consent stops it now
        var decided = (await s.Cached.DecideAsync(ann, "web", null, 3))!;
        Assert.Empty(decided.Actions);
        Assert.Contains(decided.Skipped, x => x.Reason == "no_consent");
    }

    [Theory, BothStores]
    public async Task ValueChange_OrderAndRecordedCost_DropAndEqualTheStore(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await WarmAsync(h, s, ann);
        var before = await s.Cached.InputsAsync(ann, "web");

        await h.SendAsync(Ev.Track("o1", 61, "Order Completed", Ev.Order("O1", ("LAMP-1", 400, 1)), user: "ann"));
        Assert.Null(h.DecisionFacts.Read(ann));
        await s.AssertSameAsync(ann, "web");
        Assert.NotEqual(before, await s.Cached.InputsAsync(ann, "web")); // orders, last_bought, balance moved

        var afterOrder = await s.Cached.InputsAsync(ann, "web");
        await new Rapport.Core.Value.CustomerCosts(h.Writer, h.Population).RecordAsync(ann, "gift", 50m, null, "flowers", null); // not an event: the value writer marks Ann
        Assert.Null(h.DecisionFacts.Read(ann));
        await s.AssertSameAsync(ann, "web");
        Assert.NotEqual(afterOrder, await s.Cached.InputsAsync(ann, "web")); // she received more: the balance fell
    }

    [Theory, BothStores]
    public async Task DecisionOnAnotherChannel_ByThisEngineOrAnUncachedOne_CountsAtOnce(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await s.Cached.InputsAsync(ann, "email");

        var email = (await s.Cached.DecideAsync(ann, "email", null, 3))!; // changes the cached facts in place
        Assert.Single(email.Actions);
        Assert.NotNull(h.DecisionFacts.Read(ann));
        await s.AssertSameAsync(ann, "web");
        Assert.Equal("cooldown", (await s.Cached.DecideAsync(ann, "web", null, 3))!.Skipped.Single(x => x.Name == "Thank-you gift").Reason);

        h.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Single((await s.Uncached.DecideAsync(ann, "email", null, 3))!.Actions); // another engine of the process marks Ann
        Assert.Null(h.DecisionFacts.Read(ann));
        await s.AssertSameAsync(ann, "web");
        Assert.Equal("cooldown", (await s.Cached.DecideAsync(ann, "web", null, 3))!.Skipped.Single(x => x.Name == "Thank-you gift").Reason);
    }

    [Theory, BothStores]
    public async Task Merge_BringsTheOtherCustomersDecisions_IntoTheCachedFacts(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await h.SendAsync(Ev.Page("p1", 61, anon: "anon-b"));
        var visitor = await h.OwnerAsync(Identifier.AnonymousId, "anon-b");
        await s.ConsentAsync(visitor, """{"consents": {"marketing": true}}""");
        Assert.Single((await s.Cached.DecideAsync(visitor, "web", null, 3))!.Actions); // the visitor got the gift
        await WarmAsync(h, s, ann);
        Assert.Single(await DecisionLog.ForCustomerAsync(h.Db, ann, 10, default));

        await h.SendAsync(Ev.Identify("i2", 62, [], user: "ann", anon: "anon-b")); // the visitor was Ann
        var survivor = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Null(h.DecisionFacts.Read(ann));
        Assert.Null(h.DecisionFacts.Read(visitor));
        await s.AssertSameAsync(survivor, "web");
        Assert.Equal(2, (await DecisionLog.ForCustomerAsync(h.Db, survivor, 10, default)).Count);
        var at = h.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Contains($"mine {at} {at}", await s.Cached.InputsAsync(survivor, "web"), StringComparison.Ordinal); // both gifts count for her cool-down
    }

    [Theory, BothStores]
    public async Task WarmRequest_ReadsNothingBeforeTheWrite(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await WarmAsync(h, s, ann);
        var cached = h.DecisionFacts.Read(ann)!;

        // Change the customer's rows behind the writer's back: a warm request must not see it,
        // which shows it read from memory (a real change goes through the writer and drops the entry).
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("UPDATE traits SET value = 'Zed' WHERE customer_id = @ann AND name = 'firstName'", new { ann });
            await c.ExecuteAsync("DELETE FROM consent_ledger");
        }

        h.Clock.Advance(TimeSpan.FromDays(2));
        var decided = (await s.Cached.DecideAsync(ann, "web", null, 3))!;
        Assert.Same(cached, h.DecisionFacts.Read(ann));
        Assert.Equal("Thank-you gift", decided.Actions.Single().Name); // consent still granted in memory
        Assert.Equal("Ann", cached.Facts["first_name"]);
    }

    [Fact]
    public void Capacity_IsABound_ATenthIsDroppedWhenFull()
    {
        var cache = new DecisionFactsCache(capacity: 100);
        for (long c = 1; c <= 1_000; c++)
        {
            cache.StoreRead(c, cache.Stamp(c), new DecisionFacts(c, new Dictionary<long, string>(), new Dictionary<string, string>()));
            Assert.InRange(cache.ReadCount, 1, 100);
        }

        Assert.NotNull(cache.Read(1_000)); // the newest is kept
    }

    [Fact]
    public void Fill_RacingADrop_IsNotStored()
    {
        var cache = new DecisionFactsCache();
        var facts = new DecisionFacts(7, new Dictionary<long, string>(), new Dictionary<string, string>());
        var stamp = cache.Stamp(7); // a request starts reading the store
        cache.Drop(7); // a write for customer 7 commits meanwhile
        cache.StoreRead(7, stamp, facts);
        Assert.Null(cache.Read(7));

        var other = cache.Stamp(8);
        cache.DropAll(); // a product changed: every customer
        cache.StoreRead(8, other, facts);
        Assert.Null(cache.Read(8));

        cache.StoreRead(7, cache.Stamp(7), facts);
        Assert.Same(facts, cache.Read(7));
    }
}
