using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Analytics;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Value;
using Rapport.Engine.Analytics;
using Rapport.Engine.Decisioning;
using static Rapport.Core.Tests.Analytics.RelationshipTestData;

namespace Rapport.Core.Tests.Analytics;

/// <summary>Funnel, channels, predicted CLV, uplift, reciprocity and health alarms on small hand-made stores, both stores.</summary>
public sealed class RelationshipQueriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory, BothStores]
    public async Task Funnel_StepsReachedInThePeriod_AndCartAbandonment(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var steps = Funnel.Steps;
        // 1: all four; 2: viewed, added; 3: viewed; 4: viewed, added, checkout; 5: ordered only;
        // 6: viewed in April (outside), added in May.
        foreach (var (customer, did) in new[] { (1L, 4), (2L, 2), (3L, 1), (4L, 3) })
        {
            for (int k = 0; k < did; k++)
            {
                await EventAsync(h.Db, customer, steps[k], D(5, 2 + k));
            }
        }

        await EventAsync(h.Db, 5, Funnel.Ordered, D(5, 3), channel: "store");
        await EventAsync(h.Db, 6, Funnel.Viewed, D(4, 28));
        await EventAsync(h.Db, 6, Funnel.Added, D(5, 14, hour: 23));
        await EventAsync(h.Db, 7, Funnel.Viewed, D(5, 3), type: "page"); // a page view, not a track: not counted
        await EventAsync(h.Db, 3, Funnel.Added, D(5, 15, hour: 0)); // the day after the period
        var queries = new RelationshipQueries(h.Db, new FakeTimeProvider(Now));

        var f = await queries.FunnelAsync(new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 14));

        Assert.Equal([4L, 3L, 2L, 1L], f.Steps.Select(s => s.Reached));
        Assert.Equal([4L, 4L, 2L, 2L], f.Steps.Select(s => s.Did));
        Assert.Equal(0.75, f.Steps[1].FromPrevious);
        Assert.Equal(0.25, f.Steps[3].FromFirst);
        // Added: 1, 2, 4, 6; ordered among them: 1 only.
        Assert.Equal((4L, 1L, 0.75), (f.AddedToCart, f.AddedAndOrdered, f.CartAbandonmentRate));
        Assert.Equal((new DateOnly(2026, 4, 16), new DateOnly(2026, 5, 15)), queries.DefaultPeriod());
    }

    [Theory, BothStores]
    public async Task ChannelMix_EventsAndOrdersChannels_MergedLeftOut(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        // Store orders (channel "store"): A twice (150), B once (30), C twice (30).
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, [
            new("A", D(1, 5), 100m), new("A", D(2, 5), 50m), new("B", D(1, 9), 30m), new("C", D(3, 1), 20m), new("C", D(3, 9), 10m)]);
        await EventAsync(h.Db, ids["A"], "Product Viewed", D(1, 4), channel: "web"); // A: store + web
        await EventAsync(h.Db, ids["C"], "Store Visit", D(3, 1), channel: "store"); // C: store only
        await EventAsync(h.Db, ids["C"], "Email Sent", D(3, 2), channel: "email", origin: "rapport"); // Rapport emailing C: C is not seen on email
        await CustomerAsync(h.Db, 1000); // D: web events only, never bought
        await EventAsync(h.Db, 1000, "Product Viewed", D(3, 2), channel: "web");
        await CustomerAsync(h.Db, 1001, mergedInto: ids["B"]); // merged away: left out, even with two channels
        await EventAsync(h.Db, 1001, "Page", D(3, 2), channel: "app");
        await EventAsync(h.Db, 1001, "Page", D(3, 3), channel: "web");
        var queries = new RelationshipQueries(h.Db, new FakeTimeProvider(Now));

        var r = await queries.ChannelMixAsync();

        Assert.Equal((1L, 1L, 2L, 150m), (r.Multichannel.Customers, r.Multichannel.Buyers, r.Multichannel.Orders, r.Multichannel.NetRevenue));
        Assert.Equal((3L, 2L, 3L, 60m), (r.SingleChannel.Customers, r.SingleChannel.Buyers, r.SingleChannel.Orders, r.SingleChannel.NetRevenue));
        Assert.Equal((150m, 20m), (r.Multichannel.RevenuePerCustomer, r.SingleChannel.RevenuePerCustomer));
        Assert.Equal((2.0, 1.0), (r.Multichannel.OrdersPerCustomer, r.SingleChannel.OrdersPerCustomer));
        Assert.Equal(30m, r.SingleChannel.RevenuePerBuyer);
        Assert.Equal((7.5, 2.0), (r.SpendRatio, r.FrequencyRatio));
    }

    [Theory, BothStores]
    public async Task ClvCalibration_DecilesAgainstSpendAfterThePredictionDate(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, [
            new("K10", D(3, 1), 500m), // before the prediction date: not counted
            new("K10", D(4, 10), 80m), new("K9", D(5, 1), 40m), new("K1", D(4, 20), 10m),
            new("K2", D(1, 2), 5m), new("K3", D(1, 2), 5m), new("K4", D(1, 2), 5m), new("K5", D(1, 2), 5m),
            new("K6", D(1, 2), 5m), new("K7", D(1, 2), 5m), new("K8", D(1, 2), 5m)]);
        // Calibration ended with the day starting 31 March: predictions run from 1 April. Customer Ki is predicted 10 × i.
        var predictions = Enumerable.Range(1, 10).Select(i => (ids[$"K{i}"], 10m * i)).ToList();
        await ModelAsync(h.Db, 1, new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero), predictions);
        await ModelAsync(h.Db, 2, new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero), predictions.Take(5));
        var queries = new RelationshipQueries(h.Db, new FakeTimeProvider(Now));

        var r = (await queries.ClvCalibrationAsync(null))!;

        Assert.Equal(1L, r.Model); // the oldest with predictions: the longest observed stretch
        Assert.Equal([1L, 2L], r.Models);
        Assert.Equal(new DateOnly(2026, 4, 1), r.PredictedFrom);
        Assert.Equal(Enumerable.Range(1, 10), r.Deciles.Select(d => d.Decile));
        Assert.All(r.Deciles, d => Assert.Equal(1L, d.Customers));
        Assert.Equal([10m, 20m, 30m, 40m, 50m, 60m, 70m, 80m, 90m, 100m], r.Deciles.Select(d => d.PredictedMean));
        Assert.Equal([10m, 0m, 0m, 0m, 0m, 0m, 0m, 0m, 40m, 80m], r.Deciles.Select(d => d.ActualMean));
        Assert.Equal((550m, 130m), (r.Predicted, r.Actual));
        Assert.Equal(80.0 / 130, r.TopDecileShareOfActual!.Value, 9);
        Assert.Equal(6.4, r.ObservedWeeks); // 1 April to 15 May noon: 44.5 days
        Assert.Equal(5, (await queries.ClvCalibrationAsync(2))!.Deciles.Sum(d => d.Customers));
        Assert.Null(await queries.ClvCalibrationAsync(9));
    }

    [Theory, BothStores]
    public async Task Uplift_EveryActionAgainstItsControl_AcceptanceByKind(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await ActionAsync(h.Db, 1, "ten percent", ActionKinds.Discount);
        await ActionAsync(h.Db, 2, "birthday flowers", ActionKinds.Surprise);
        await ActionAsync(h.Db, 3, "free coffee", ActionKinds.Reward);
        await DecisionsAsync(h.Db, 1, control: false, "accepted", 4);
        await DecisionsAsync(h.Db, 1, control: false, "ignored", 3);
        await DecisionsAsync(h.Db, 1, control: false, null, 3);
        await DecisionsAsync(h.Db, 1, control: true, "converted", 1);
        await DecisionsAsync(h.Db, 1, control: true, null, 4);
        foreach (var outcome in new[] { "accepted", "ignored", "converted", null })
        {
            await DecisionsAsync(h.Db, 2, control: false, outcome, 1);
        }

        var r = await new UpliftQueries(h.Db, [new ActionUpliftSource()]).ComputeAsync();

        Assert.Equal(["ten percent", "birthday flowers", "free coffee"], r.Rows.Select(x => x.Name));
        var discount = r.Rows[0].Uplift;
        Assert.Equal((10L, 4L, 0.4, 5L, 1L, 0.2), (discount.Treated, discount.TreatedConverted, discount.TreatedRate, discount.Control, discount.ControlConverted, discount.ControlRate));
        Assert.Equal(0.2, discount.Difference, 12);
        var half = 1.96 * Math.Sqrt((0.4 * 0.6 / 10) + (0.2 * 0.8 / 5));
        Assert.Equal((0.2 - half, 0.2 + half), (discount.Low, discount.High), new ToleranceComparer(1e-12));
        Assert.Equal((4L, 3L, 4.0 / 7), (r.Rows[0].Accepted, r.Rows[0].Ignored, r.Rows[0].Acceptance));
        // Flowers: no control group yet, so the interval is unbounded.
        Assert.Equal((0.5, -1.0, 1.0), (r.Rows[1].Uplift.TreatedRate, r.Rows[1].Uplift.Low, r.Rows[1].Uplift.High));
        Assert.Equal(0L, r.Rows[2].Uplift.Treated);

        Assert.Equal([ActionKinds.Discount, ActionKinds.Reward, ActionKinds.Surprise], r.Acceptance.Select(a => a.Kind));
        Assert.Equal((10L, 4L, 3L, 3L, 4.0 / 7), (r.Acceptance[0].Shown, r.Acceptance[0].Accepted, r.Acceptance[0].Ignored, r.Acceptance[0].Open, r.Acceptance[0].Acceptance));
        Assert.Null(r.Acceptance[1].Acceptance);
        Assert.Equal((4L, 1L, 1L, 1L, 0.5), (r.Acceptance[2].Shown, r.Acceptance[2].Accepted, r.Acceptance[2].Ignored, r.Acceptance[2].Open, r.Acceptance[2].Acceptance));
    }

    [Theory, BothStores]
    public async Task Reciprocity_EveryCustomerAtOnce_SameBalancesAsOneByOne(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, [new("A", D(1, 5), 100m), new("B", D(1, 9), 30m), new("C", D(2, 1), 10m)]);
        await EventAsync(h.Db, ids["B"], ReciprocityQueries.ReferralEvents[0], D(2, 1));
        await EventAsync(h.Db, ids["B"], ReciprocityQueries.ReviewEvents[0], D(2, 2));
        await CustomerAsync(h.Db, 1000);
        await EventAsync(h.Db, 1000, ReciprocityQueries.ReferralEvents[0], D(2, 3)); // gave a referral, bought nothing: 25
        await CustomerAsync(h.Db, 1001); // nothing at all: 0
        await using (var c = await h.Db.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(c, "INSERT INTO customer_costs (customer_id, recorded_for, kind, amount_e4, at, reference, created_at) VALUES (@id, @id, 'surprise', 500000, 0, NULL, 0)", new { id = ids["C"] });
        }

        var clock = new FakeTimeProvider(Now);
        var programs = new LoyaltyProgramStore(h.Db, clock);
        var one = new ReciprocityQueries(h.Db, programs);
        var expected = new List<decimal>();
        foreach (var id in new[] { ids["A"], ids["B"], ids["C"], 1000L, 1001L })
        {
            expected.Add(await one.BalanceAsync(id));
        }

        var r = await new ReciprocityDistribution(h.Db, programs).ComputeAsync();

        Assert.Equal(25m, expected[3]);
        Assert.Equal(5L, r.Customers);
        Assert.Equal(expected.LongCount(b => b > 0), r.GaveMore);
        Assert.Equal(expected.LongCount(b => b < 0), r.ReceivedMore);
        Assert.Equal((expected.Min(), expected.Max()), (r.Min, r.Max));
        Assert.Equal(expected.Order().ElementAt(2), r.Median);
        Assert.Equal(5L, r.Bins.Sum(b => b.Customers));
    }

    [Theory, BothStores]
    public async Task Health_NewCohortUnderThreshold_AndRepeatRateDrop_Fire(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await ValueTestData.InsertSalesAsync(h.Writer, [
            // Previous 30 days (16 March noon to 15 April noon): 3 buyers, 2 repeat (2/3).
            new("P1", D(3, 20), 10m), new("P1", D(3, 25), 10m), new("P2", D(4, 1), 10m), new("P2", D(4, 5), 10m), new("P3", D(4, 2), 10m),
            // Week of 20 April: four newcomers, none back within a week.
            new("N1", D(4, 21), 10m), new("N2", D(4, 21), 10m), new("N3", D(4, 22), 10m), new("N4", D(4, 23), 10m),
            // Week of 27 April: back after 3 and 6 days (counted), after 9 days (not), never.
            new("M1", D(4, 28), 10m), new("M1", D(5, 1), 10m), new("M2", D(4, 29), 10m), new("M2", D(5, 5), 10m),
            new("M3", D(4, 30), 10m), new("M3", D(5, 9), 10m), new("M4", D(5, 2), 10m),
            // Week of 4 May: not a full week observed yet, not judged.
            new("L1", D(5, 6), 10m)]);
        var rules = new AlarmRules { CohortWeekReturnBelow = 0.1, CohortWeeks = 2, CohortMinCustomers = 3, RepeatRateDropAbove = 0.2, RepeatPeriodDays = 30, RepeatMinBuyers = 3 };

        var r = await new HealthQueries(h.Db, rules, new FakeTimeProvider(Now)).EvaluateAsync();

        Assert.Equal(["cohort 2026-04-20", "cohort 2026-04-27", "last 30 days"], r.Checks.Select(c => c.Subject));
        Assert.Equal([true, false, true], r.Checks.Select(c => c.Firing));
        Assert.Equal(0.0, r.Checks[0].Observed);
        Assert.Equal(0.5, r.Checks[1].Observed);
        // Now 3 of 9 buyers (N1-4, M1-4, L1) repeated: 1/3 against 2/3 before, down by half.
        Assert.Equal(0.5, r.Checks[2].Observed!.Value, 9);
        Assert.Equal(2, r.Alarms.Count);
    }

    [Theory, BothStores]
    public async Task ReturnWindows_ByFirstPurchaseAndByFirstVisit(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        // Purchases: A back the next day; B twice on its first day, then 10 days later; C never.
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, [
            new("A", D(3, 2), 10m), new("A", D(3, 3), 10m),
            new("B", D(3, 5, hour: 9), 10m), new("B", D(3, 5, hour: 18), 10m), new("B", D(3, 15), 10m),
            new("C", D(3, 20), 10m)]);
        // Visits: A's page views on 1 and 8 March (7 days: within the week); C's two on one day (not a return).
        await EventAsync(h.Db, ids["A"], "Home", D(3, 1), type: "page");
        await EventAsync(h.Db, ids["A"], "Home", D(3, 8), type: "page");
        await EventAsync(h.Db, ids["C"], "Home", D(3, 20, hour: 8), type: "page");
        await EventAsync(h.Db, ids["C"], "Product Viewed", D(3, 20, hour: 9));
        await EventAsync(h.Db, ids["C"], "", D(3, 21), type: "identify"); // not a visit
        await EventAsync(h.Db, ids["C"], "Segment Entered", D(3, 22), origin: "rapport"); // Rapport's own: not a visit either
        var queries = new RelationshipQueries(h.Db, new FakeTimeProvider(Now));

        var purchases = await queries.ReturnWindowsAsync(byVisit: false, CohortPeriod.Month);
        var visits = await queries.ReturnWindowsAsync(byVisit: true, CohortPeriod.Month);

        var march = Assert.Single(purchases.Cohorts);
        Assert.Equal(("2026-03", 3L), (march.Cohort, march.Customers));
        Assert.Equal([1L, 1L, 2L], march.Returned); // 1 day: A; 7 days: A; 30 days: A and B
        Assert.Equal([3L, 3L, 3L], march.Eligible);
        var visitMarch = Assert.Single(visits.Cohorts);
        Assert.Equal(2L, visitMarch.Customers);
        Assert.Equal([0L, 1L, 1L], visitMarch.Returned);
        Assert.Equal(("visit", "month"), (visits.Basis, visits.Period));
    }

    [Theory, BothStores]
    public async Task ReturnWindows_AnArchiveOfOldOrders_WindowsPastItsLastSaleAreNotCounted(StoreKind store)
    {
        // March 2026's sales read in 2028: the data ends on 20 March, so a window closing after
        // that was never observed; against now every window would count C, and B's 30 days too.
        await using var h = await CoreHarness.CreateAsync(store);
        await ValueTestData.InsertSalesAsync(h.Writer, [
            new("A", D(3, 2), 10m), new("A", D(3, 3), 10m),
            new("B", D(3, 5, hour: 9), 10m), new("B", D(3, 15), 10m),
            new("C", D(3, 20), 10m)]);
        var queries = new RelationshipQueries(h.Db, new FakeTimeProvider(new DateTimeOffset(2028, 3, 1, 0, 0, 0, TimeSpan.Zero)));

        var march = Assert.Single((await queries.ReturnWindowsAsync(byVisit: false, CohortPeriod.Month)).Cohorts);

        Assert.Equal([2L, 2L, 0L], march.Eligible); // A and B for 1 and 7 days; nobody's 30 days had passed by 20 March
        Assert.Equal([1L, 1L, 0L], march.Returned);
    }

    [Fact]
    public async Task ReportCache_ComputesOnce_StaleAnswersAtOnceAndRefreshes_RefreshRecomputes()
    {
        var clock = new FakeTimeProvider(Now);
        var cache = new ReportCache(clock);
        var computed = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        async Task<int> Compute(CancellationToken ct)
        {
            await gate.Task;
            return Interlocked.Increment(ref computed);
        }

        Assert.Equal(1, (await cache.GetAsync("k", Compute)).Report);
        Assert.Equal(1, (await cache.GetAsync("k", Compute)).Report);
        Assert.Equal(2, (await cache.GetAsync("other", Compute)).Report); // keys are separate
        clock.Advance(TimeSpan.FromMinutes(11));
        // Stale: answered at once with the old figures while the refresh behind it cannot finish
        // (held by the gate: without it a quick refresh may already be in when the reader looks).
        gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Equal(1, (await cache.GetAsync("k", Compute)).Report);
        gate.SetResult();
        for (int i = 0; i < 100 && (await cache.GetAsync("k", Compute)).Report == 1; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(3, (await cache.GetAsync("k", Compute)).Report);
        Assert.Equal(4, (await cache.GetAsync("k", Compute, refresh: true)).Report);
    }

    [Fact]
    public async Task ReportCache_RefreshesAskedWhileOneRuns_RunOnceMoreTogether()
    {
        var cache = new ReportCache(new FakeTimeProvider(Now));
        var computed = 0;
        var release = new TaskCompletionSource();
        async Task<int> Slow(CancellationToken ct)
        {
            await release.Task;
            return Interlocked.Increment(ref computed);
        }

        var running = cache.GetAsync("k", Slow, refresh: true);
        // Asked while the first runs (it may have read the store before the change they want to see):
        // both wait for it, then share one new computation.
        var second = cache.GetAsync("k", Slow, refresh: true);
        var third = cache.GetAsync("k", Slow, refresh: true);
        release.SetResult();

        Assert.Equal(1, (await running).Report);
        Assert.Equal(2, (await second).Report);
        Assert.Equal(2, (await third).Report);
        Assert.Equal(2, computed);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<(double, double)>
    {
        public bool Equals((double, double) x, (double, double) y) => Math.Abs(x.Item1 - y.Item1) <= tolerance && Math.Abs(x.Item2 - y.Item2) <= tolerance;

        public int GetHashCode((double, double) obj) => 0;
    }
}
