using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Segments;

public sealed class LiveMembershipTests
{
    [Theory, BothStores]
    public async Task Ingest_SecondOrderIn90Days_EntersOnTimelineAndLeavesWhenOrderAgesOut(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Repeat buyers", "count(track \"Order Completed\", last 90 days) at least 2 times");
        await h.SendAsync(h.Track("o1", -60, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Empty(await h.MembersAsync(segment));

        await h.SendAsync(h.Track("o2", -1, "Order Completed", SegmentSteps.OrderOf("A2", "Chairs"), user: "ann"));

        Assert.Equal([ann], await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "Repeat buyers", "event")], await h.MembershipEventsAsync(ann));
        var entered = (await h.Customers.TimelineAsync(ann, 10, null, null, "track", "Segment Entered")).Items.Single();
        Assert.Equal((long)segment, (long)entered.Properties!["segment_id"]!);
        Assert.Equal("web", entered.Channel);

        h.Clock.Advance(TimeSpan.FromDays(29));
        await h.SweepAsync();
        Assert.Equal([ann], await h.MembersAsync(segment));

        h.Clock.Advance(TimeSpan.FromDays(2));
        await h.SweepAsync();
        Assert.Empty(await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "Repeat buyers", "event"), ("Segment Left", "Repeat buyers", "time")], await h.MembershipEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Ingest_WriteReachesACustomerAfterHerWindowClosed_SheLeftByTime_NotByTheWrite(StoreKind store)
    {
        // The clock passes the day ann's orders age out; before the sweeper runs, another write
        // reaches her (here an uncounted event; on a server often refreshed needs). Her leaving is
        // the window's doing, and the new event does not bring her back.
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Repeat buyers", "count(track \"Order Completed\", last 90 days) at least 2 times");
        await h.SendAsync(h.Track("o1", -60, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"));
        await h.SendAsync(h.Track("o2", -1, "Order Completed", SegmentSteps.OrderOf("A2", "Chairs"), user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal([ann], await h.MembersAsync(segment));

        h.Clock.Advance(TimeSpan.FromDays(31));
        await h.SendAsync(h.Track("v1", 0, "Product Viewed", new JsonObject { ["product_id"] = "LAMP-1" }, user: "ann"));

        Assert.Empty(await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "Repeat buyers", "event"), ("Segment Left", "Repeat buyers", "time")], await h.MembershipEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Ingest_ViewedLampsThenBoughtOne_EntersThenLeaves(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Lamp browsers", "viewed(category = \"Lamps\", last 7 days) and not bought(category = \"Lamps\", last 7 days)");

        await h.SendAsync(h.Track("v1", -2, "Product Viewed", SegmentSteps.Lamp(), user: "ann"), h.Track("v2", -2, "Product Viewed", [], user: "bob"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal([ann], await h.MembersAsync(segment));

        await h.SendAsync(h.Track("b1", 0, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"));
        Assert.Equal([ann], await h.MembersAsync(segment));

        await h.SendAsync(h.Track("b2", 0, "Order Completed", SegmentSteps.OrderOf("A2", "Lamps"), user: "ann"));
        Assert.Empty(await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "Lamp browsers", "event"), ("Segment Left", "Lamp browsers", "event")], await h.MembershipEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Facts_AtRiskTopClv_FollowsTheCurrentFittedModel(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await FactTables.EnsureAsync(h.Db);
        await h.SendAsync(h.Identify("i1", [], user: "ann"), h.Identify("i2", [], user: "bob"), h.Identify("i3", [], user: "cat"));
        var (ann, bob, cat) = (await h.OwnerAsync(Identifier.UserId, "ann"), await h.OwnerAsync(Identifier.UserId, "bob"), await h.OwnerAsync(Identifier.UserId, "cat"));
        await h.Writer.WriteAsync(async unit =>
        {
            await FactTables.ModelAsync(unit, 1, "fitted");
            await FactTables.PredictionAsync(unit, ann, 1, 0.2, 900, 0.9);
            await FactTables.PredictionAsync(unit, bob, 1, 0.5, 900, 0.9);
            await FactTables.PredictionAsync(unit, cat, 1, 0.2, 100, 0.5);
            return 0;
        });

        var segment = await h.CreateAsync("At-risk valuable", "prediction.p_alive < 0.3 and prediction.clv_percentile >= 0.8");
        Assert.Equal([ann], await h.MembersAsync(segment));

        // A refit: model 2 (and a failed model 3, which is not current) change who is at risk.
        await h.Writer.WriteAsync(async unit =>
        {
            await FactTables.ModelAsync(unit, 2, "fitted");
            await FactTables.ModelAsync(unit, 3, "failed");
            await FactTables.PredictionAsync(unit, ann, 2, 0.6, 900, 0.9);
            await FactTables.PredictionAsync(unit, cat, 2, 0.1, 1000, 0.95);
            await FactTables.PredictionAsync(unit, bob, 3, 0.1, 1000, 0.95);
            h.SegmentRuntime.FamilyChangedForEveryone(unit, SegmentFields.Prediction.Name);
            return 0;
        });

        Assert.Equal([cat], await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "At-risk valuable", "recompute"), ("Segment Left", "At-risk valuable", "event")], await h.MembershipEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Sweep_NewFittedModelOrValueRecompute_ReReadsFactsForEverybody(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await FactTables.EnsureAsync(h.Db);
        await h.SendAsync(h.Identify("i1", [], user: "ann"), h.Identify("i2", [], user: "bob"));
        var (ann, bob) = (await h.OwnerAsync(Identifier.UserId, "ann"), await h.OwnerAsync(Identifier.UserId, "bob"));
        var atRisk = await h.CreateAsync("At risk", "prediction.p_alive < 0.3");
        var top = await h.CreateAsync("Top", "value.revenue_percentile >= 0.8");

        // As the value engine writes them: without telling segments.
        await h.Writer.WriteAsync(async unit =>
        {
            await FactTables.ModelAsync(unit, 1, "fitted");
            await FactTables.PredictionAsync(unit, bob, 1, 0.1, 10, 0.1);
            await FactTables.ValueAsync(unit, ann, 900, 2, "gold", 0.9);
            await FactTables.PopulationAsync(unit, 1);
            return 0;
        });
        Assert.Empty(await h.MembersAsync(atRisk));

        await h.SweepAsync();

        Assert.Equal([bob], await h.MembersAsync(atRisk));
        Assert.Equal([ann], await h.MembersAsync(top));
        Assert.Equal([("Segment Entered", "At risk", "facts")], await h.MembershipEventsAsync(bob));
    }

    [Theory, BothStores]
    public async Task Facts_ValueProjectionUpdatesWithOrder_ReReadInSameBatch(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Repeat value", "value.orders >= 2 and value.revenue >= 100");
        await h.SendAsync(h.Track("o1", -5, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Empty(await h.MembersAsync(segment));

        // The value projection updates customer_value in this transaction; segments read it before commit.
        await h.SendAsync(h.Track("o2", 0, "Order Completed", SegmentSteps.OrderOf("A2", "Lamps"), user: "ann"));

        Assert.Equal([ann], await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "Repeat value", "event")], await h.MembershipEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Traits_IdentifyChangesPlan_EntersAndLeaves(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Pro", "traits.plan = \"pro\" and traits.seats >= 5");
        await h.SendAsync(h.Identify("i1", new JsonObject { ["plan"] = "Pro", ["seats"] = 10 }, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal([ann], await h.MembersAsync(segment));

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.SendAsync(h.Identify("i2", new JsonObject { ["plan"] = "free" }, user: "ann"));

        Assert.Empty(await h.MembersAsync(segment));
    }

    [Theory, BothStores]
    public async Task WarmPreviewSample_ReadsEveryCustomerOfTheSample_WithTheirEventsAndValue(StoreKind store)
    {
        // The start-up warm-up of the builder's preview (ReportWarmer): below the sampling
        // threshold the "sample" is everybody; each customer with any event counts.
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(
            h.Track("o1", -400, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"),
            h.Track("v1", -2, "Product Viewed", new JsonObject { ["product_id"] = "LAMP-1" }, user: "bob"),
            h.Identify("i1", [], user: "cy"));

        var warmed = await h.Segments.WarmPreviewSampleAsync(50_000);

        Assert.Equal(3, warmed.Customers);
        Assert.Equal(2, warmed.Count); // ann (an order 400 days ago) and bob (a view); cy only identified
        Assert.Null(warmed.Sampled);
    }

    [Theory, BothStores]
    public async Task Preview_SameDefinition_CountsWhatSavingThenSelects(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var events = Enumerable.Range(0, 12).SelectMany(i => Enumerable.Range(0, i % 4).Select(k =>
            h.Track($"o{i}-{k}", -10 * k, "Order Completed", SegmentSteps.OrderOf($"A{i}-{k}", "Chairs"), user: $"u{i:00}"))).ToList();
        events.AddRange(Enumerable.Range(0, 12).Select(i => h.Identify($"i{i}", [], user: $"u{i:00}")));
        await h.SendAsync([.. events]);
        var definition = Engine.Segments.SegmentDefinition.Parse("count(track \"Order Completed\", last 15 days) >= 2").Definition!;

        var preview = await h.Segments.PreviewAsync(definition, 2);
        var segment = await h.CreateAsync("Twice", definition.Text);

        var members = await h.MembersAsync(segment);
        Assert.Equal(6, preview.Count);
        Assert.Equal(12, preview.Customers);
        Assert.Equal(members.Count, preview.Count);
        Assert.Equal(members.Order().Take(2), preview.Sample);
    }

    [Theory, BothStores]
    public async Task Merge_AnonymousBrowsingJoinsKnownCustomer_MembershipMovesToSurvivor(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Lamp browsers", "viewed(category = \"Lamps\", last 7 days) >= 2");
        await h.SendAsync(h.Identify("i1", [], user: "ann"));
        await h.SendAsync(h.Track("v1", -1, "Product Viewed", SegmentSteps.Lamp(), user: "ann"));
        await h.SendAsync(h.Track("v2", -1, "Product Viewed", SegmentSteps.Lamp(), anon: "a-1"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var anonymous = await h.OwnerAsync(Identifier.AnonymousId, "a-1");
        Assert.Empty(await h.MembersAsync(segment));

        await h.SendAsync(h.Identify("i2", [], user: "ann", anon: "a-1"));

        Assert.Equal(ann, await h.OwnerAsync(Identifier.AnonymousId, "a-1"));
        Assert.NotEqual(ann, anonymous);
        Assert.Equal([ann], await h.MembersAsync(segment));
    }

    [Theory, BothStores]
    public async Task Merge_Undone_AbsorbedCustomerTakesItsBehaviourBack(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Lamp browsers", "viewed(category = \"Lamps\", last 7 days)");
        await h.SendAsync(h.Identify("i1", [], user: "ann"));
        await h.SendAsync(h.Track("v1", -1, "Product Viewed", SegmentSteps.Lamp(), anon: "a-1"));
        var anonymous = await h.OwnerAsync(Identifier.AnonymousId, "a-1");
        await h.SendAsync(h.Identify("i2", [], user: "ann", anon: "a-1"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal([ann], await h.MembersAsync(segment));

        var merge = (await h.Merges.ForCustomerAsync(ann)).Single();
        await h.Merges.UndoAsync(merge.Id);

        Assert.Equal([anonymous], await h.MembersAsync(segment));
    }

    [Theory, BothStores]
    public async Task Recompute_Twice_ChangesNothingAndStoresNoNewEvents(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Buyers", "bought(last 30 days)");
        await h.SendAsync(h.Track("o1", 0, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        var first = h.Segments.Recompute();
        await first.Completion;
        var second = h.Segments.Recompute();
        await second.Completion;

        Assert.Equal((0, 0, "done"), (second.Status.Entered!.Value, second.Status.Left!.Value, second.Status.State));
        Assert.Equal([ann], await h.MembersAsync(segment));
        Assert.Single(await h.MembershipEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Recompute_MembershipsLost_RebuildsThemFromFieldsAndCountedEventsTogether(StoreKind store)
    {
        // A recomputation job counts events on a second connection while the fields load: a
        // segment needing both, and one filtering on event properties, must come out whole.
        await using var h = await CoreHarness.CreateAsync(store);
        var proBuyers = await h.CreateAsync("Pro buyers", "traits.plan = \"pro\" and bought(last 30 days)");
        var lampViewers = await h.CreateAsync("Lamp viewers", "viewed(category = \"Lamps\", last 7 days)");
        await h.SendAsync(
            h.Identify("i1", new JsonObject { ["plan"] = "pro" }, user: "ann"),
            h.Identify("i2", new JsonObject { ["plan"] = "pro" }, user: "bob"),
            h.Identify("i3", new JsonObject { ["plan"] = "free" }, user: "cy"),
            h.Track("o1", -1, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"),
            h.Track("o2", -1, "Order Completed", SegmentSteps.OrderOf("A2", "Chairs"), user: "cy"),
            h.Track("v1", 0, "Product Viewed", new JsonObject { ["product_id"] = "L1", ["category"] = "lamps" }, user: "bob"),
            h.Track("v2", 0, "Product Viewed", new JsonObject { ["product_id"] = "C1", ["category"] = "Chairs" }, user: "cy"));
        var (ann, bob) = (await h.OwnerAsync(Identifier.UserId, "ann"), await h.OwnerAsync(Identifier.UserId, "bob"));
        Assert.Equal([ann], await h.MembersAsync(proBuyers));
        Assert.Equal([bob], await h.MembersAsync(lampViewers));

        var job = await RecomputeWithMembershipsLostAsync(h);

        Assert.Equal(("done", 2, 0), (job.Status.State, job.Status.Entered!.Value, job.Status.Left!.Value));
        Assert.Equal([ann], await h.MembersAsync(proBuyers));
        Assert.Equal([bob], await h.MembersAsync(lampViewers));
    }

    [Theory, BothStores]
    public async Task Recompute_AnEventOnTheLongestWindowsFirstDay_Counts_OneAnHourEarlierDoesNot(StoreKind store)
    {
        // A full recomputation's scan dismisses events older than every window before anything
        // else: "last 30 days" includes the whole day 30 days ago, and nothing before it.
        await using var h = await CoreHarness.CreateAsync(store);
        var buyers = await h.CreateAsync("Buyers", "bought(last 30 days)");
        await h.CreateAsync("Recent buyers", "bought(last 7 days)");
        var now = h.Clock.GetUtcNow();
        var firstDay = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-30);
        await h.SendAsync(
            h.Track("o1", (firstDay.AddHours(1) - now).TotalDays, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"),
            h.Track("o2", (firstDay.AddHours(-1) - now).TotalDays, "Order Completed", SegmentSteps.OrderOf("A2", "Chairs"), user: "bob"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var job = await RecomputeWithMembershipsLostAsync(h);

        Assert.Equal("done", job.Status.State);
        Assert.Equal([ann], await h.MembersAsync(buyers));
    }

    [Theory, BothStores]
    public async Task Recompute_EventsCountedInSlicesOnTwoConnections_EveryEventCountedOnce(StoreKind store)
    {
        // A job counts events in id slices (a few ids each here) that two connections take in
        // turn: an event counted twice or missed at a slice's edge moves a customer across k.
        await using var h = await CoreHarness.CreateAsync(store);
        var atLeast = new long[6];
        for (var k = 1; k <= 5; k++)
        {
            atLeast[k] = await h.CreateAsync($"{k}+ pages", $"count(page, last 30 days) >= {k}");
        }

        var events = new List<IncomingEvent>();
        for (var round = 0; round < 5; round++)
        {
            for (var c = 1; c <= 5; c++)
            {
                if (round < c)
                {
                    // Customer c views c pages, interleaved with the others' and with identifies.
                    events.Add(new IncomingEvent($"p{c}-{round}", "page", "Home", Channels.Web, $"u{c}", null, h.Clock.GetUtcNow().AddDays(-1 - round), [], null, null));
                    events.Add(h.Identify($"i{c}-{round}", [], user: $"u{c}"));
                }
            }
        }

        await h.SendAsync([.. events]);
        var job = await RecomputeWithMembershipsLostAsync(h);

        Assert.Equal("done", job.Status.State);
        for (var k = 1; k <= 5; k++)
        {
            var expected = new List<long>();
            for (var c = k; c <= 5; c++)
            {
                expected.Add(await h.OwnerAsync(Identifier.UserId, $"u{c}"));
            }

            Assert.Equal(expected.Order(), (await h.MembersAsync(atLeast[k])).Order());
        }
    }

    [Theory, BothStores]
    public async Task Recompute_EvaluatedOnEveryCore_SameMembersAndLeavesWhenWindowsClose(StoreKind store)
    {
        // A million customers are evaluated in parallel; here from one customer on, so the
        // gathered changes and due days are checked: bob leaves when his purchase leaves the window.
        await using var h = await CoreHarness.CreateAsync(store);
        h.SegmentRuntime.EvaluateInParallelFrom = 1;
        var segment = await h.CreateAsync("Buyers", "bought(last 7 days)");
        await h.SendAsync(
            h.Track("o1", 0, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"),
            h.Track("o2", -5, "Order Completed", SegmentSteps.OrderOf("A2", "Chairs"), user: "bob"),
            h.Identify("i1", [], user: "cy"));
        var (ann, bob) = (await h.OwnerAsync(Identifier.UserId, "ann"), await h.OwnerAsync(Identifier.UserId, "bob"));
        var job = await RecomputeWithMembershipsLostAsync(h);

        Assert.Equal(("done", 2), (job.Status.State, job.Status.Entered!.Value));
        Assert.Equal(new[] { ann, bob }.Order(), (await h.MembersAsync(segment)).Order());
        h.Clock.Advance(TimeSpan.FromDays(3));
        await h.SweepAsync();
        Assert.Equal([ann], await h.MembersAsync(segment));
        h.Clock.Advance(TimeSpan.FromDays(5));
        await h.SweepAsync();
        Assert.Empty(await h.MembersAsync(segment));
    }

    [Theory, BothStores]
    public async Task Recompute_AfterRestartWithTimePassed_LeavesExpiredMembers(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Buyers", "bought(last 7 days)");
        await h.SendAsync(h.Track("o1", 0, "Order Completed", SegmentSteps.OrderOf("A1", "Chairs"), user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        // A restarted process (a new runtime) loads the store at a later time.
        h.SegmentRuntime.Invalidate();
        h.Clock.Advance(TimeSpan.FromDays(9));
        await h.SendAsync(h.Identify("i1", [], user: "bob"));

        Assert.Empty(await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "Buyers", "event"), ("Segment Left", "Buyers", "recompute")], await h.MembershipEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Sweep_CustomerCreatedByImport_IsEvaluated(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var segment = await h.CreateAsync("Never bought", "not bought(last 30 days)");

        await h.Writer.WriteAsync(unit => h.Identity.EnsureAsync(unit, Identifier.Email, ["imported@example.com"], unit.Now));
        var imported = await h.OwnerAsync(Identifier.Email, "imported@example.com");
        Assert.Empty(await h.MembersAsync(segment));

        await h.SweepAsync();

        Assert.Equal([imported], await h.MembersAsync(segment));
        Assert.Equal([("Segment Entered", "Never bought", "time")], await h.MembershipEventsAsync(imported));
    }

    [Theory, BothStores]
    public async Task Delete_Segment_RemovesMembersWithoutLeftEvents(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var keep = await h.CreateAsync("Keep", "traits.plan exists");
        var drop = await h.CreateAsync("Drop", "traits.plan = \"pro\"");
        await h.SendAsync(h.Identify("i1", new JsonObject { ["plan"] = "pro" }, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        Assert.True(await h.Segments.DeleteAsync(drop));
        await h.SendAsync(h.Identify("i2", new JsonObject { ["plan"] = "pro", ["x"] = 1 }, user: "ann"));

        Assert.Null(await h.SegmentStore.GetAsync(drop));
        Assert.Equal([keep], (await h.SegmentStore.ForCustomerAsync(ann)).Select(s => s.SegmentId));
        Assert.DoesNotContain(await h.MembershipEventsAsync(ann), e => e.Name == "Segment Left");
        Assert.False(await h.Segments.DeleteAsync(drop));
    }

    [Theory, BothStores]
    public async Task Create_NameTaken_ReturnsNull(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.CreateAsync("Buyers", "bought(last 30 days)");

        Assert.Null(await h.Segments.CreateAsync("Buyers", Engine.Segments.SegmentDefinition.Parse("bought(last 7 days)").Definition!));
    }

    [Theory, BothStores]
    public async Task Load_StoredDefinitionNoLongerValid_IsSetAsideAsInvalid(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var good = await h.CreateAsync("Buyers", "bought(last 30 days)");
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync(
                "INSERT INTO segments (name, definition, text, status, created_at, updated_at) VALUES ('Old', '{\"field\":\"needs.gone\",\"op\":\"=\",\"value\":1}', 'needs.gone = 1', 'active', 0, 0)");
        }

        var job = h.Segments.Recompute();
        await job.Completion;

        Assert.Equal("done", job.Status.State);
        Assert.Equal(["active", "invalid"], (await h.SegmentStore.ListAsync()).Select(s => s.Status));
        Assert.Equal(good, (await h.SegmentStore.ListAsync())[0].Id);
    }

    [Theory, BothStores]
    public async Task List_NoSegments_IsEmpty(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);

        Assert.Empty(await h.SegmentStore.ListAsync());
    }

    [Fact]
    public void Channels_EngineValidatorList_IsTheCollectorsList()
    {
        Assert.Equal(Rapport.Core.Events.Channels.All, Engine.Segments.SegmentValidator.Channels);
    }

    /// <summary>Stored memberships deleted and the runtime's state dropped, then a full recomputation job run to its end.</summary>
    private static async Task<RecomputeJob> RecomputeWithMembershipsLostAsync(CoreHarness h)
    {
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("DELETE FROM segment_members");
        }

        h.SegmentRuntime.Invalidate();
        var job = h.Segments.Recompute();
        await job.Completion;
        return job;
    }
}
