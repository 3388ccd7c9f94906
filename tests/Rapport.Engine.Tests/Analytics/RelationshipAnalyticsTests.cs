using Rapport.Engine.Analytics;

namespace Rapport.Engine.Tests.Analytics;

/// <summary>Funnel, channel mix, predicted-against-actual CLV and the health rules on numbers worked out by hand.</summary>
public sealed class RelationshipAnalyticsTests
{
    [Fact]
    public void Funnel_StepCombinations_ReachedNeedsEveryEarlierStep_AbandonmentFromAddedWithoutOrder()
    {
        // 10 viewed only; 5 viewed+added; 3 viewed+added+checkout; 2 did all four;
        // 4 ordered without anything else (store orders); 1 added+ordered without a view.
        StepCombination[] rows = [new(0b0001, 10), new(0b0011, 5), new(0b0111, 3), new(0b1111, 2), new(0b1000, 4), new(0b1010, 1)];

        var f = Funnel.Build(Funnel.Steps, rows);

        Assert.Equal([20L, 10L, 5L, 2L], f.Steps.Select(s => s.Reached));
        Assert.Equal([20L, 11L, 5L, 7L], f.Steps.Select(s => s.Did));
        Assert.Null(f.Steps[0].FromPrevious);
        Assert.Equal(0.5, f.Steps[1].FromPrevious);
        Assert.Equal(0.4, f.Steps[3].FromPrevious);
        Assert.Equal(0.1, f.Steps[3].FromFirst);
        // Added: 5 + 3 + 2 + 1 = 11; of them ordered: 2 + 1 = 3; abandoned 8 of 11.
        Assert.Equal((11L, 3L), (f.AddedToCart, f.AddedAndOrdered));
        Assert.Equal(8.0 / 11, f.CartAbandonmentRate!.Value, 12);
    }

    [Fact]
    public void Funnel_NoEvents_ZerosAndNoRates()
    {
        var f = Funnel.Build(Funnel.Steps, []);

        Assert.All(f.Steps, s => Assert.Equal(0, s.Reached));
        Assert.Null(f.Steps[1].FromPrevious);
        Assert.Null(f.CartAbandonmentRate);
    }

    [Fact]
    public void ChannelMix_PerCustomerAndPerBuyer()
    {
        var multi = ChannelMix.Figures(ChannelMix.Multichannel, new ChannelGroupTotals(Customers: 4, Buyers: 2, Orders: 6, RevenueE4: 3_000_000));
        var single = ChannelMix.Figures(ChannelMix.SingleChannel, new ChannelGroupTotals(Customers: 0, Buyers: 0, Orders: 0, RevenueE4: 0));

        Assert.Equal((750_000.0, 1.5, 1_500_000.0, 3.0), (multi.RevenuePerCustomerE4!.Value, multi.OrdersPerCustomer!.Value, multi.RevenuePerBuyerE4!.Value, multi.OrdersPerBuyer!.Value));
        Assert.Null(single.RevenuePerCustomerE4);
        Assert.Equal(2.0, ChannelMix.Ratio(3, 1.5));
        Assert.Null(ChannelMix.Ratio(3, null));
    }

    [Fact]
    public void ClvCalibration_MeansSharesAndHorizonElapsed()
    {
        ClvDecileTotals[] d = [new(2, 2, 400_000, 600_000), new(1, 2, 200_000, 0)];
        var predictedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var now = predictedAt + (13 * 7 * 86_400_000L);

        var r = ClvCalibration.Build(d, predictedAt, now, horizonWeeks: 52);

        Assert.Equal([1, 2], r.Deciles.Select(x => x.Decile));
        Assert.Equal((100_000.0, 0.0), (r.Deciles[0].PredictedMeanE4, r.Deciles[0].ActualMeanE4));
        Assert.Equal((200_000.0, 300_000.0), (r.Deciles[1].PredictedMeanE4, r.Deciles[1].ActualMeanE4));
        Assert.Equal(1.0, r.TopDecileShareOfActual);
        Assert.Equal(13.0, r.ObservedWeeks, 9);
        Assert.Equal(0.25, r.HorizonElapsed!.Value, 9);
        Assert.Equal(1.0, r.ActualOverPredicted);
    }

    [Fact]
    public void HealthAlarms_LowCohortFires_SmallCohortNotJudged_RepeatDropFires()
    {
        var rules = new AlarmRules { CohortWeekReturnBelow = 0.1, CohortMinCustomers = 10, RepeatRateDropAbove = 0.2, RepeatMinBuyers = 10 };
        CohortWeekReturn[] cohorts = [new("2026-04-06", 20, 1), new("2026-04-13", 20, 4), new("2026-04-20", 3, 0)];

        var checks = HealthAlarms.Evaluate(rules, cohorts, current: new PeriodRepeat(50, 10), previous: new PeriodRepeat(40, 12));

        Assert.Equal([true, false, false, true], checks.Select(c => c.Firing));
        Assert.Equal(0.05, checks[0].Observed);
        Assert.Contains("not judged", checks[2].Message, StringComparison.Ordinal);
        // 20% now against 30% before: down by a third.
        Assert.Equal(HealthAlarms.RepeatRule, checks[3].Rule);
        Assert.Equal(1.0 / 3, checks[3].Observed!.Value, 9);
    }

    [Fact]
    public void HealthAlarms_RepeatRateUp_NotFiring_TooFewBuyers_NotJudged()
    {
        var rules = new AlarmRules { RepeatMinBuyers = 10 };

        var up = HealthAlarms.Evaluate(rules, [], new PeriodRepeat(50, 25), new PeriodRepeat(50, 10));
        var few = HealthAlarms.Evaluate(rules, [], new PeriodRepeat(5, 0), new PeriodRepeat(50, 10));

        Assert.False(up.Single().Firing);
        Assert.Contains("up", up.Single().Message, StringComparison.Ordinal);
        Assert.False(few.Single().Firing);
        Assert.Null(few.Single().Observed);
    }

    [Fact]
    public void AlarmRules_OutOfRange_Named()
    {
        Assert.Empty(new AlarmRules().Problems());
        Assert.Equal(2, new AlarmRules { CohortWeekReturnBelow = 2, RepeatPeriodDays = 0 }.Problems().Count);
    }
}

/// <summary>Return windows (1 day, 1 week, 1 month) by first-activity cohort, worked out by hand.</summary>
public sealed class ReturnWindowsTests
{
    private static long Ms(int month, int day, int hour = 10) => new DateTimeOffset(2026, month, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Build_ReturnsOnLaterDaysWithinEachWindow_YoungCustomersNotYetCounted()
    {
        (long, long?)[] customers =
        [
            (Ms(3, 2), Ms(3, 3, 23)), // next day: within 1, 7 and 30
            (Ms(3, 5), Ms(3, 12, 1)), // 7 days later: within 7 and 30, not 1
            (Ms(3, 10), Ms(4, 9, 22)), // 30 days later: within 30 only
            (Ms(3, 20), null), // never
            (Ms(4, 20), Ms(4, 21)), // April: the month window has not passed by 15 May
        ];

        var r = ReturnWindows.Build(CohortPeriod.Month, customers, Ms(5, 15, 12), ReturnWindows.DefaultDays);

        Assert.Equal(["2026-03", "2026-04"], r.Select(c => c.Cohort));
        Assert.Equal([4L, 4L, 4L], r[0].Eligible);
        Assert.Equal([1L, 2L, 3L], r[0].Returned);
        Assert.Equal([0.25, 0.5, 0.75], r[0].Shares);
        Assert.Equal([1L, 1L, 0L], r[1].Eligible);
        Assert.Equal([1.0, 1.0, null], r[1].Shares);
    }

    [Fact]
    public void NextDayStart_IsTheFollowingUtcMidnight()
    {
        Assert.Equal(Ms(3, 3, 0), ReturnWindows.NextDayStart(Ms(3, 2, 23)));
        Assert.Equal(Ms(3, 3, 0), ReturnWindows.NextDayStart(Ms(3, 2, 0)));
    }
}
