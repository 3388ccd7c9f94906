using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Analytics;
using Rapport.Core.Dashboard;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Value;
using Rapport.Core.Value;
using Rapport.Engine.Analytics;

namespace Rapport.Core.Tests.Analytics;

/// <summary>The analytics numbers on a small hand-made store whose cohorts are known, on both stores.</summary>
public sealed class AnalyticsQueriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 15, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset D(int month, int day) => new(2026, month, day, 10, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// January cohort: A (returns in February and April) and B (never returns). February: C (two
    /// orders in February, returns in March). March: D. Now is mid-May, so April is the last month
    /// that has ended.
    /// </summary>
    private static readonly TestSale[] Sales =
    [
        new("A", D(1, 5), 100m), new("A", D(2, 10), 50m), new("A", D(4, 25), 25m),
        new("B", D(1, 20), 10m),
        new("C", D(2, 3), 40m), new("C", D(2, 20), 60m), new("C", D(3, 15), 30m),
        new("D", D(3, 1), 5m),
    ];

    [Theory, BothStores]
    public async Task Compute_KnownCohorts_SharesRepeatRateRevenueAndCounts(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await ValueTestData.InsertSalesAsync(h.Writer, Sales);
        var queries = new AnalyticsQueries(h.Db, new ValueQueries(h.Db), new FakeTimeProvider(Now));

        var s = await queries.ComputeAsync();

        var c = s.Cohorts;
        Assert.Equal(["2026-01", "2026-02", "2026-03"], c.Cohorts.Select(r => r.Cohort));
        Assert.Equal([2L, 1L, 1L], c.Cohorts.Select(r => r.Customers));
        // January: A came back in months 1 and 3; month 4 (May) has not ended.
        Assert.Equal([1L, 0L, 1L, null], c.Cohorts[0].Returning.Take(4));
        Assert.Equal([0.5, 0.0, 0.5, null], c.Cohorts[0].Shares.Take(4));
        // February: C's second February order is not a return; March is month 1.
        Assert.Equal([1L, 0L, null], c.Cohorts[1].Returning.Take(3));
        Assert.Equal([0L, null], c.Cohorts[2].Returning.Take(2));
        Assert.Equal((4L, 2L, 0.5), (c.Buyers, c.RepeatBuyers, c.RepeatRate));

        var o = s.Overview;
        Assert.Equal((4L, 4L, 8L, 320m), (o.Customers, o.Buyers, o.Orders, o.NetRevenue));
        Assert.Equal(["2026-01", "2026-02", "2026-03", "2026-04"], o.RevenueByMonth.Select(p => p.Month));
        Assert.Equal([110m, 150m, 35m, 25m], o.RevenueByMonth.Select(p => p.Revenue));
        Assert.Equal([2L, 3L, 2L, 1L], o.RevenueByMonth.Select(p => p.Orders));
        // Active: bought in the 90 days up to the latest order (25 April, so since 25 January): A, C and D, not B (20 January).
        Assert.Equal(3L, o.ActiveCustomers);
        // The customers page's list: most net revenue first.
        Assert.Equal([175m, 130m, 10m, 5m], s.TopCustomers.Select(t => t.NetRevenue));
        Assert.Equal([3L, 3L, 1L, 1L], s.TopCustomers.Select(t => t.Orders));
        Assert.Null(s.Clv.Model);
    }

    [Theory, BothStores]
    public async Task Compute_AfterRecomputeAndFit_TiersParetoAndClvDistribution(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await ValueTestData.InsertSalesAsync(h.Writer, ValueTestData.Simulated(300));
        await v.Recompute.RunAsync(rebuild: false);
        var fit = await v.Refit.FitAsync(new ClvFitRequest());
        Assert.True(fit.Fitted, fit.Model.Message);
        var queries = new AnalyticsQueries(h.Db, v.Queries, new FakeTimeProvider(Now));

        var s = await queries.ComputeAsync();

        Assert.Equal(["platinum", "gold", "silver", "bronze"], s.Overview.Tiers.Select(t => t.Name));
        Assert.Equal(s.Overview.Buyers, s.Overview.Tiers.Sum(t => t.Customers));
        Assert.Equal(fit.Model.Id, s.Clv.Model);
        Assert.Equal(fit.Predictions, s.Clv.Customers);
        Assert.Equal(s.Clv.Customers, s.Clv.Bins.Sum(b => b.Customers));
        await using var c = await h.Db.OpenAsync();
        var total = await c.ExecuteScalarAsync<long>("SELECT SUM(clv_e4) FROM customer_predictions WHERE model_id = @id", new { id = fit.Model.Id });
        Assert.Equal(Money.FromStorage(total), s.Clv.Total);
        Assert.Equal(1.0, s.Pareto.Curve[^1].RevenueShare!.Value, 9);
    }

    [Theory, BothStores]
    public async Task Cohorts_ByWeek_FirstPurchaseWeekAndReturns(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await ValueTestData.InsertSalesAsync(h.Writer, Sales);
        var queries = new AnalyticsQueries(h.Db, new ValueQueries(h.Db), new FakeTimeProvider(Now));

        var weekly = await queries.CohortsAsync(CohortPeriod.Week, 8);

        // A first bought on Monday 5 January 2026; B on Tuesday 20 January (the week of the 19th).
        Assert.Equal("2026-01-05", weekly.Cohorts[0].Cohort);
        Assert.Equal("2026-01-19", weekly.Cohorts[1].Cohort);
        Assert.Equal((4L, 2L), (weekly.Buyers, weekly.RepeatBuyers));
        Assert.Equal("week", weekly.Period);
    }

    [Theory, BothStores]
    public async Task Cohorts_AnArchiveOfOldOrders_MonthsAfterItsLastSaleAreBlankNotZero(StoreKind store)
    {
        // The same sales read two years later: the latest (25 April 2026) is an archive's last day.
        // Against now, May 2026 to February 2028 would all have "ended with nobody buying".
        await using var h = await CoreHarness.CreateAsync(store);
        await ValueTestData.InsertSalesAsync(h.Writer, Sales);
        var queries = new AnalyticsQueries(h.Db, new ValueQueries(h.Db), new FakeTimeProvider(new DateTimeOffset(2028, 3, 1, 0, 0, 0, TimeSpan.Zero)));

        var cached = (await queries.ComputeAsync()).Cohorts;
        var computed = await queries.CohortsAsync(CohortPeriod.Month, 12);

        foreach (var c in new[] { cached, computed })
        {
            // January: February (1) and March (0) observed; April holds the last sale, so it is partial; after it nothing was seen.
            Assert.Equal([1L, 0L, .. Enumerable.Repeat<long?>(null, 10)], c.Cohorts[0].Returning);
            Assert.Equal([1L, .. Enumerable.Repeat<long?>(null, 11)], c.Cohorts[1].Returning); // February: C back in March
            Assert.All(c.Cohorts[2].Returning, Assert.Null);
        }
    }

    [Fact]
    public void Csv_Cohorts_HeaderRowsAndEmptyUnobservedCells()
    {
        var report = new CohortReport("month", 2, 3, 1, 1.0 / 3, [new CohortRow("2026-01", new DateOnly(2026, 1, 1), 3, [1, null], [1.0 / 3, null])]);

        var csv = AnalyticsCsv.Cohorts(report);

        Assert.Equal(
            "cohort,customers,returned_month_1,returned_month_2,share_month_1,share_month_2\r\n2026-01,3,1,,0.333333,\r\n",
            csv);
    }

    [Theory, BothStores]
    public async Task AdminPassword_CreatedOnceThenVerified(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        var credentials = new AdminCredentials(db, new FakeTimeProvider(Now), null);

        var first = await credentials.EnsureAsync();
        var second = await credentials.EnsureAsync();

        Assert.NotNull(first.NewPassword);
        Assert.Null(second.NewPassword); // printed once, never again
        Assert.True(await credentials.VerifyAsync(first.NewPassword));
        Assert.False(await credentials.VerifyAsync(first.NewPassword + "x"));
        var reset = await credentials.ResetAsync();
        Assert.False(await credentials.VerifyAsync(first.NewPassword));
        Assert.True(await credentials.VerifyAsync(reset));
        Assert.True(await new AdminCredentials(db, new FakeTimeProvider(Now), "from-config").VerifyAsync("from-config"));
    }
}
