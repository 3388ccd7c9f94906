using Rapport.Engine.Analytics;

namespace Rapport.Engine.Tests.Analytics;

public sealed class AnalyticsEngineTests
{
    private static long Ms(int y, int m, int d) => new DateTimeOffset(y, m, d, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Periods_MonthAndMondayWeek_RoundTripToLabels()
    {
        Assert.Equal("2025-12", Periods.Label(Periods.Of(Ms(2025, 12, 31), CohortPeriod.Month), CohortPeriod.Month));
        Assert.Equal(1, Periods.Of(Ms(2026, 1, 1), CohortPeriod.Month) - Periods.Of(Ms(2025, 12, 31), CohortPeriod.Month));
        // Sunday 11 January 2026 belongs to the week of Monday the 5th; Monday the 12th starts the next.
        Assert.Equal("2026-01-05", Periods.Label(Periods.Of(Ms(2026, 1, 11), CohortPeriod.Week), CohortPeriod.Week));
        Assert.Equal("2026-01-12", Periods.Label(Periods.Of(Ms(2026, 1, 12), CohortPeriod.Week), CohortPeriod.Week));
    }

    [Fact]
    public void ObservedThrough_NowUnlessTheLatestActivityIsAMonthOld()
    {
        var now = Ms(2026, 5, 15);
        Assert.Equal(now, Periods.ObservedThrough(now, null)); // no data: nothing to go by
        Assert.Equal(now, Periods.ObservedThrough(now, Ms(2026, 4, 25))); // a quiet live store: April has ended
        Assert.Equal(now, Periods.ObservedThrough(now, now - Periods.ArchiveAfterMs));
        Assert.Equal(now - Periods.ArchiveAfterMs - 1, Periods.ObservedThrough(now, now - Periods.ArchiveAfterMs - 1));
        Assert.Equal(Ms(2011, 12, 9), Periods.ObservedThrough(now, Ms(2011, 12, 9))); // the demo's archive
    }

    [Fact]
    public void Cohorts_InputInAnyOrder_CountsEachCustomerOncePerPeriod()
    {
        var b = new RetentionCohortBuilder(CohortPeriod.Month);
        b.Add(2, Ms(2026, 3, 2)); // customer 2: February cohort, back in March (twice)
        b.Add(1, Ms(2026, 2, 1)); // customer 1: January cohort, back in February
        b.Add(2, Ms(2026, 3, 9));
        b.Add(1, Ms(2026, 1, 9));
        b.Add(2, Ms(2026, 2, 14));

        var t = b.Build(Ms(2026, 4, 10), offsets: 3);

        Assert.Equal(["2026-01", "2026-02"], t.Cohorts.Select(c => c.Label));
        Assert.Equal([1L, 0L, null], t.Cohorts[0].Returning); // March ended, April has not
        Assert.Equal([1L, null, null], t.Cohorts[1].Returning);
        Assert.Equal(1.0, t.Cohorts[1].Share(1));
        Assert.Null(t.Cohorts[1].Share(2));
        Assert.Equal((2L, 2L, 1.0), (t.Buyers, t.RepeatBuyers, t.RepeatRate));
    }

    [Fact]
    public void Cohorts_NoPurchases_EmptyTableAndNoRate()
    {
        var t = new RetentionCohortBuilder(CohortPeriod.Week).Build(Ms(2026, 1, 1));

        Assert.Empty(t.Cohorts);
        Assert.Null(t.RepeatRate);
    }

    [Fact]
    public void Histogram_SkewedValues_EqualBarsToP99AndOpenTopBar()
    {
        long[] values = [.. Enumerable.Range(0, 99).Select(i => (long)i * 10), 1_000_000];

        var d = Histogram.Build(values, bins: 10);

        Assert.Equal(100, d.Count);
        Assert.Equal(100, d.Bins.Sum(b => b.Count));
        Assert.Equal(1_000_000, d.Max);
        Assert.Equal(10, d.Bins.Count);
        Assert.Equal(200, d.Bins[0].To - d.Bins[0].From); // (980 + 8) / 9 → 110 → nice 200
        Assert.Equal(1, d.Bins[^1].Count); // the whale, alone in the open bar
        Assert.Equal(490, d.Median); // nearest rank: the 50th of 100 values
    }

    [Fact]
    public void PeriodSeries_GapsFilledAndLastPeriodsKept()
    {
        var s = new PeriodSeries(CohortPeriod.Month);
        s.Add(Ms(2026, 1, 3), 100);
        s.Add(Ms(2026, 3, 3), 50);
        s.Add(Ms(2026, 3, 30), -20, 0);

        var all = s.Points();
        var last = s.Points(maxPeriods: 2);

        Assert.Equal(["2026-01", "2026-02", "2026-03"], all.Select(p => p.Label));
        Assert.Equal([100L, 0L, 30L], all.Select(p => p.Amount));
        Assert.Equal([1L, 0L, 1L], all.Select(p => p.Count));
        Assert.Equal(["2026-02", "2026-03"], last.Select(p => p.Label));
    }
}
