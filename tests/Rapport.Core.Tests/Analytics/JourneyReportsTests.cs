using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Analytics;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Value;
using Rapport.Core.Value;
using Rapport.Engine.Decisioning;
using static Rapport.Core.Tests.Analytics.JourneyTestData;

namespace Rapport.Core.Tests.Analytics;

/// <summary>The journeys report and the journeys uplift source on hand-made enrolments, both stores; and the snapshot's cache.</summary>
public sealed class JourneyReportsTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Cart: treated 20 (5 active, 9 completed, 6 goal), control 5 (1 active, 3 completed, 1 goal);
    /// control share 0.2 in its current (second) version. Birthday: paused, nobody enrolled, default share.
    /// </summary>
    private static async Task SeedAsync(TestDatabase db)
    {
        await JourneyAsync(db, 1, "Cart rescue", "active", 2, 0.2);
        await JourneyAsync(db, 2, "Birthday", "paused", 1, null);
        foreach (var (control, status, n) in new[] { (false, "active", 5), (false, "completed", 9), (false, "converted", 6), (true, "active", 1), (true, "completed", 3), (true, "converted", 1) })
        {
            await EnrolmentsAsync(db, 1, control, status, n);
        }
    }

    [Theory, BothStores]
    public async Task Journeys_StatusVersionCountsShareAndGoalUplift(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await SeedAsync(h.Db);

        var r = await new JourneyReports(h.Db).ComputeAsync();

        Assert.Equal(["Cart rescue", "Birthday"], r.Journeys.Select(j => j.Name));
        var cart = r.Journeys[0];
        Assert.Equal(("active", 2L, 0.2), (cart.Status, cart.Version, cart.ControlShare));
        Assert.Equal(new JourneySide(20, 5, 9, 6), cart.Treated);
        Assert.Equal(new JourneySide(5, 1, 3, 1), cart.Control);
        Assert.Equal(0.2, cart.HeldOut!.Value, 12);
        Assert.Equal((0.3, 0.2), (cart.Uplift.TreatedRate, cart.Uplift.ControlRate));
        var half = 1.96 * Math.Sqrt((0.3 * 0.7 / 20) + (0.2 * 0.8 / 5));
        Assert.Equal(0.1, cart.Uplift.Difference, 12);
        Assert.Equal(0.1 - half, cart.Uplift.Low, 12);
        Assert.Equal(0.1 + half, cart.Uplift.High, 12);
        var birthday = r.Journeys[1];
        Assert.Equal(("paused", JourneyReports.DefaultControlShare, (double?)null), (birthday.Status, birthday.ControlShare, birthday.HeldOut));
        Assert.Equal(new JourneySide(0, 0, 0, 0), birthday.Treated);
    }

    [Theory, BothStores]
    public async Task UpliftReport_HasJourneysNextToActions_GoalIsTheConversion(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await SeedAsync(h.Db);
        await RelationshipTestData.ActionAsync(h.Db, 7, "ten percent", ActionKinds.Discount);
        await RelationshipTestData.DecisionsAsync(h.Db, 7, control: false, "accepted", 2);

        var r = await new UpliftQueries(h.Db, [new ActionUpliftSource(), new JourneyUpliftSource()]).ComputeAsync();

        Assert.Equal([("action", "ten percent"), ("journey", "Cart rescue"), ("journey", "Birthday")], r.Rows.Select(x => (x.Subject, x.Name)));
        var cart = r.Rows[1].Uplift;
        Assert.Equal((20L, 6L, 5L, 1L), (cart.Treated, cart.TreatedConverted, cart.Control, cart.ControlConverted));
        Assert.Equal(0.1, cart.Difference, 12);
        Assert.Equal((0L, 0L), (r.Rows[2].Uplift.Treated, r.Rows[2].Uplift.Control));
        // Acceptance by kind stays about actions: journeys are not offers.
        Assert.Equal([ActionKinds.Discount], r.Acceptance.Select(a => a.Kind));
    }

    /// <summary>
    /// "Recompute now" after new data must show it, even when the clock has not moved: the old
    /// AnalyticsCache reused any snapshot computed at or after the click's time, so with the same
    /// time it handed back the old figures.
    /// </summary>
    [Theory, BothStores]
    public async Task Snapshot_RecomputeNow_SeesOrdersAddedSince_EvenAtTheSameInstant(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var clock = new FakeTimeProvider(Now);
        var queries = new AnalyticsQueries(h.Db, new ValueQueries(h.Db), clock);
        var cache = new ReportCache(clock);
        await ValueTestData.InsertSalesAsync(h.Writer, [new("A", Now.AddDays(-30), 10m)]);
        Assert.Equal(1L, (await cache.GetAsync("snapshot", queries.ComputeAsync)).Report.Overview.Orders);

        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync(
                """
                INSERT INTO orders (order_id, kind, customer_id, id_kind, id_value, channel, status, placed_at, currency, subtotal_e4, discount_e4, total_e4, source)
                VALUES ('LATER', 'sale', NULL, 'store_customer_no', 'B', 'store', 'completed', @at, 'GBP', 200000, 0, 200000, 'test')
                """,
                new { at = UnixTime.ToStorage(Now.AddDays(-20)) });
        }

        Assert.Equal(1L, (await cache.GetAsync("snapshot", queries.ComputeAsync)).Report.Overview.Orders); // cached
        Assert.Equal(2L, (await cache.GetAsync("snapshot", queries.ComputeAsync, refresh: true)).Report.Overview.Orders);
    }

    /// <summary>The old AnalyticsCache checked "nothing running" and then started a refresh: readers arriving together each started one.</summary>
    [Fact]
    public async Task StaleReport_ManyReadersAtOnce_StartOneRefresh()
    {
        var clock = new FakeTimeProvider(Now);
        var cache = new ReportCache(clock);
        var computed = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Compute(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref computed);
            if (n > 1)
            {
                await release.Task;
            }

            return n;
        }

        await cache.GetAsync("k", Compute);
        clock.Advance(ReportCache.MaxAge + TimeSpan.FromMinutes(1));
        var readers = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => cache.GetAsync("k", Compute))));
        Assert.All(readers, r => Assert.Equal(1, r.Report)); // stale answers at once
        for (int i = 0; i < 200 && Volatile.Read(ref computed) < 2; i++)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100); // room for a wrongly started second refresh to show itself
        Assert.Equal(2, Volatile.Read(ref computed));
        release.SetResult();
        for (int i = 0; i < 200 && (await cache.GetAsync("k", Compute)).Report != 2; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(2, (await cache.GetAsync("k", Compute)).Report);
        Assert.Equal(2, Volatile.Read(ref computed));
    }
}
