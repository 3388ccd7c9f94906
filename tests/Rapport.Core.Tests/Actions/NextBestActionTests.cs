using System.Text.Json.Nodes;
using Rapport.Core.Actions;
using Rapport.Core.Consent;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Actions;

/// <summary>The engine over the real write path: catalogue, decision log, consent gate, on both stores.</summary>
public sealed class NextBestActionTests
{
    private sealed class Setup(CoreHarness h)
    {
        public ConsentOptions Options { get; } = new();

        public ActionCatalog Catalog { get; } = new(h.Db, h.Writer, SegmentFields.Default);

        public ConsentService Consent => new(h.Db, h.Writer, Options, h.Clock);

        public NextBestActionEngine Engine => new(h.Db, h.Writer, Catalog, new ContactPolicy(h.Db, Options),
            new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts()]), new HistoryProductSuggestions(h.Db), h.Clock,
            new Rapport.Core.Loyalty.ReciprocityQueries(h.Db, new Rapport.Core.Loyalty.LoyaltyProgramStore(h.Db, h.Clock)));

        public async Task<long> AddAsync(string json)
        {
            var (action, errors) = ActionDefinitionParser.Parse((JsonObject)JsonNode.Parse(json)!, 0, _ => true, SegmentFields.Default);
            Assert.Empty(errors);
            return (await Catalog.CreateAsync(action!))!.Value;
        }

        public Task GrantAsync(long customer, string json) =>
            Consent.UpdateAsync(customer, ConsentRequestParser.Parse((JsonObject)JsonNode.Parse(json)!, "test").Update!, replace: false);
    }

    private static async Task<(CoreHarness H, Setup S, long Ann)> StartAsync(StoreKind store)
    {
        var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["firstName"] = "Ann" }, user: "ann"));
        h.Clock.SetUtcNow(Ev.At(60));
        return (h, new Setup(h), await h.OwnerAsync(Identifier.UserId, "ann"));
    }

    [Theory, BothStores]
    public async Task Decide_SameOfferOnWebThenEmail_CoolDownAcrossChannelsInOneLog(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await s.GrantAsync(ann, """{"consents": {"marketing": true}}""");
        var offer = await s.AddAsync("""{"name": "Spring surprise", "kind": "surprise", "purpose": "marketing", "channels": ["web", "email"], "cooldownHours": 24}""");

        var web = (await s.Engine.DecideAsync(ann, "web", null, 3))!;
        Assert.Equal(offer, web.Actions.Single().ActionId);
        Assert.Equal("a surprise for Ann, just because", web.Actions.Single().Reason);

        var email = (await s.Engine.DecideAsync(ann, "email", null, 3))!;
        Assert.Empty(email.Actions);
        Assert.Equal("cooldown", email.Skipped.Single().Reason);

        h.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Single((await s.Engine.DecideAsync(ann, "email", null, 3))!.Actions);
        var log = await DecisionLog.ForCustomerAsync(h.Db, ann, 10, default);
        Assert.Equal(["email", "web"], log.Select(d => d.Channel));
    }

    [Theory, BothStores]
    public async Task Decide_WithoutConsent_NothingThatNeedsIt(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await s.GrantAsync(ann, """{"consents": {"personalisation": {"web": true}}}""");
        await s.AddAsync("""{"name": "Discount", "kind": "discount", "purpose": "marketing", "channels": ["web"], "value": 50}""");
        var guide = await s.AddAsync("""{"name": "Care guide", "kind": "content", "purpose": "personalisation", "channels": ["web"]}""");

        var result = (await s.Engine.DecideAsync(ann, "web", null, 3))!;

        Assert.Equal([guide], result.Actions.Select(a => a.ActionId));
        var skipped = result.Skipped.Single();
        Assert.Equal(("Discount", "no_consent"), (skipped.Name, skipped.Reason));
        Assert.Single(await DecisionLog.ForCustomerAsync(h.Db, ann, 10, default)); // only what was returned is logged
    }

    [Theory, BothStores]
    public async Task Decide_BudgetsTotalAndPerCustomer_Exhaust(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await h.SendAsync(Ev.Page("p2", 1, user: "bob"));
        var bob = await h.OwnerAsync(Identifier.UserId, "bob");
        foreach (var c in new[] { ann, bob })
        {
            await s.GrantAsync(c, """{"consents": {"marketing": true}}""");
        }

        await s.AddAsync("""{"name": "Voucher", "kind": "discount", "purpose": "marketing", "channels": ["web"], "budget": {"total": 2, "perCustomer": 1}}""");

        Assert.Single((await s.Engine.DecideAsync(ann, "web", null, 3))!.Actions);
        var again = (await s.Engine.DecideAsync(ann, "web", null, 3))!;
        Assert.Contains("budget per customer is 1", again.Skipped.Single().Detail, StringComparison.Ordinal);
        Assert.Single((await s.Engine.DecideAsync(bob, "web", null, 3))!.Actions);

        await h.SendAsync(Ev.Page("p3", 2, user: "cy"));
        var cy = await h.OwnerAsync(Identifier.UserId, "cy");
        await s.GrantAsync(cy, """{"consents": {"marketing": true}}""");
        var spent = (await s.Engine.DecideAsync(cy, "web", null, 3))!;
        Assert.Equal(("budget_exhausted", "the action's budget of 2 is spent"), (spent.Skipped.Single().Reason, spent.Skipped.Single().Detail));
    }

    [Theory, BothStores]
    public async Task Outcomes_AcceptedRaisePropensity_ChangesTheRanking(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await s.GrantAsync(ann, """{"consents": {"marketing": true}}""");
        var big = await s.AddAsync("""{"name": "Big", "kind": "discount", "purpose": "marketing", "channels": ["web"], "value": 20}""");
        var small = await s.AddAsync("""{"name": "Small", "kind": "reward", "purpose": "marketing", "channels": ["web"], "value": 10}""");
        var first = (await s.Engine.DecideAsync(ann, "web", null, 2))!.Actions;
        Assert.Equal([big, small], first.Select(a => a.ActionId));

        // Ann ignores Big and accepts Small, several times: Small's propensity passes Big's value lead.
        for (var i = 0; i < 6; i++)
        {
            var shown = i == 0 ? first : (await s.Engine.DecideAsync(ann, "web", null, 2))!.Actions;
            Assert.Equal(OutcomeResult.Recorded, await s.Engine.RecordOutcomeAsync(ann, shown.Single(a => a.ActionId == big).DecisionId, "ignored"));
            Assert.Equal(OutcomeResult.Recorded, await s.Engine.RecordOutcomeAsync(ann, shown.Single(a => a.ActionId == small).DecisionId, "accepted"));
        }

        var after = (await s.Engine.DecideAsync(ann, "web", null, 2))!.Actions;
        Assert.Equal([small, big], after.Select(a => a.ActionId));
        Assert.Equal((1 + 6) / 16.0, after[0].Propensity, 10);
        Assert.Equal(OutcomeResult.AlreadyRecorded, await s.Engine.RecordOutcomeAsync(ann, first[0].DecisionId, "accepted"));
    }

    [Theory, BothStores]
    public async Task Decide_ConditionAndProductOffer_ReasonFromHistory(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await s.GrantAsync(ann, """{"consents": {"marketing": true}}""");
        await s.AddAsync("""{"name": "Lamp offer", "kind": "product_offer", "purpose": "marketing", "channels": ["web"], "condition": "viewed(last 7 days)", "placements": ["home"]}""");
        Assert.Empty((await s.Engine.DecideAsync(ann, "web", "home", 3))!.Actions);

        await h.SendAsync(Ev.Track("v1", 50, "Product Viewed", Ev.Product("LAMP-1", 30), user: "ann"));
        var offer = (await s.Engine.DecideAsync(ann, "web", "home", 3))!.Actions.Single();

        Assert.Equal("LAMP-1", offer.Product!.Sku);
        Assert.Equal("because you looked at LAMP-1 name", offer.Reason);
        Assert.Equal("viewed(last 7 days)", offer.Data["condition"]!.GetValue<string>());
        Assert.Empty((await s.Engine.DecideAsync(ann, "web", "cart", 3))!.Actions);
    }

    [Theory, BothStores]
    public async Task Decide_WeeklyMaximum_CountsOneReplyAsOneContactAcrossActions(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await s.GrantAsync(ann, """{"consents": {"marketing": true}, "maxPerWeek": {"email": 1}}""");
        await s.AddAsync("""{"name": "A", "kind": "discount", "purpose": "marketing", "channels": ["email"]}""");
        await s.AddAsync("""{"name": "B", "kind": "reward", "purpose": "marketing", "channels": ["email"]}""");

        Assert.Equal(2, (await s.Engine.DecideAsync(ann, "email", null, 3))!.Actions.Count);

        var next = (await s.Engine.DecideAsync(ann, "email", null, 3))!;
        Assert.Empty(next.Actions);
        Assert.All(next.Skipped, x => Assert.Equal("weekly_cap_reached", x.Reason));
    }

    [Theory, BothStores]
    public async Task Decide_NamedProduct_NameFromCatalogue_UnavailableSkipped(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _ = h;
        await s.GrantAsync(ann, """{"consents": {"marketing": true}}""");
        await h.SendAsync(Ev.Track("o1", 10, "Order Completed", Ev.Order("O1", ("CHAIR-1", 80, 1)), user: "bob"));
        await s.AddAsync("""{"name": "Chair", "kind": "product_offer", "purpose": "marketing", "channels": ["web"], "productId": "CHAIR-1", "reason": "{product}: back in stock"}""");

        var offer = (await s.Engine.DecideAsync(ann, "web", null, 3))!.Actions.Single();
        Assert.Equal("CHAIR-1 name: back in stock", offer.Reason);

        await using (var c = await h.Db.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(c, "UPDATE products SET available = 0 WHERE sku = 'CHAIR-1'");
        }

        var none = (await s.Engine.DecideAsync(ann, "web", null, 3))!;
        Assert.Empty(none.Actions);
        Assert.Equal(("no_product", "product CHAIR-1 is not available"), (none.Skipped.Single().Reason, none.Skipped.Single().Detail));
    }

    [Theory, BothStores]
    public async Task Holdout_ControlCustomersGetNothing_AreLogged_AndUpliftComparesTheGroups(StoreKind store)
    {
        var (h, s, _) = await StartAsync(store);
        await using var _h = h;
        var offer = await s.AddAsync("""{"name": "Thank-you gift", "kind": "surprise", "purpose": "marketing", "channels": ["web"], "holdout": 0.5}""");
        var customers = new List<long>();
        for (var i = 0; i < 24; i++)
        {
            await h.SendAsync(Ev.Identify($"c{i}", 0, new JsonObject { ["firstName"] = $"C{i}" }, user: $"c{i}"));
            var id = await h.OwnerAsync(Identifier.UserId, $"c{i}");
            await s.GrantAsync(id, """{"consents": {"marketing": true}}""");
            customers.Add(id);
        }

        var control = customers.Where(c => Rapport.Engine.Decisioning.ControlGroups.InControl(offer, c, 0.5)).ToHashSet();
        Assert.InRange(control.Count, 1, 23); // both groups exist for this seed-free split of 24
        foreach (var c in customers)
        {
            var result = (await s.Engine.DecideAsync(c, "web", null, 3))!;
            if (control.Contains(c))
            {
                Assert.Empty(result.Actions);
                Assert.Equal("control_group", result.Skipped.Single().Reason);
            }
            else
            {
                Assert.Equal(offer, result.Actions.Single().ActionId);
            }

            // Every customer, shown or held out, has one logged decision; control customers report conversions the same way.
            var logged = Assert.Single(await DecisionLog.ForCustomerAsync(h.Db, c, 10, default));
            var outcome = c % 2 == 0 ? (control.Contains(c) ? "converted" : "accepted") : "ignored";
            await s.Engine.RecordOutcomeAsync(c, logged.Id, outcome);
        }

        var uplift = (await DecisionLog.UpliftAsync(h.Db, offer, default))!;
        var treated = customers.Where(c => !control.Contains(c)).ToList();
        Assert.Equal((treated.Count, treated.Count(c => c % 2 == 0)), (uplift.Treated, uplift.TreatedConverted));
        Assert.Equal((control.Count, control.Count(c => c % 2 == 0)), (uplift.Control, uplift.ControlConverted));
        Assert.True(uplift.Low <= uplift.Difference && uplift.Difference <= uplift.High);
        var stats = (await s.Catalog.ListAsync()).Single(a => a.Id == offer);
        Assert.Equal(treated.Count, stats.Issued); // held-out decisions spend no budget
        Assert.Null(await DecisionLog.UpliftAsync(h.Db, 424242, default));
    }

    [Fact]
    public void Holdout_OutOfRange_IsRejected()
    {
        var (action, errors) = ActionDefinitionParser.Parse(
            (JsonObject)JsonNode.Parse("""{"name": "X", "kind": "surprise", "purpose": "marketing", "channels": ["web"], "holdout": 0.9}""")!, 0, _ => true, SegmentFields.Default);

        Assert.Null(action);
        Assert.Contains(errors, e => e.ToString().Contains("holdout is the share of eligible customers", StringComparison.Ordinal));
    }

    [Theory, BothStores]
    public async Task Gift_CustomerWhoGaveMore_ScoresHigherThroughTheReciprocityLedger(StoreKind store)
    {
        var (h, s, ann) = await StartAsync(store);
        await using var _h = h;
        await h.SendAsync(Ev.Identify("i2", 0, new JsonObject { ["firstName"] = "Bob" }, user: "bob"));
        var bob = await h.OwnerAsync(Identifier.UserId, "bob");
        await h.SendAsync(Ev.Track("o1", 10, "Order Completed", Ev.Order("O1", ("CHAIR-1", 400, 1)), user: "bob")); // Bob gave margin
        foreach (var c in new[] { ann, bob })
        {
            await s.GrantAsync(c, """{"consents": {"marketing": true}}""");
        }

        await s.AddAsync("""{"name": "Thank-you gift", "kind": "surprise", "purpose": "marketing", "channels": ["web"], "value": 10}""");

        var forAnn = (await s.Engine.DecideAsync(ann, "web", null, 1))!.Actions.Single();
        var forBob = (await s.Engine.DecideAsync(bob, "web", null, 1))!.Actions.Single();

        Assert.True(forBob.Score > forAnn.Score, $"Bob {forBob.Score} should outrank Ann {forAnn.Score}");
        Assert.True(forBob.Data["reciprocity_weight"]!.GetValue<double>() > 1);
    }
}
