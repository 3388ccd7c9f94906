using Rapport.Engine.Decisioning;
using Rapport.Engine.Loyalty;

namespace Rapport.Engine.Tests.Loyalty;

public sealed class SurprisePlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly SurpriseProgram Program = new()
    {
        Name = "notes", Budget = 10m, Gift = new SurpriseGift(SurpriseGift.Note, 3m), HoldoutShare = 0.3, MaxPerRun = 100,
        Spacing = new SurpriseSpacing(MinDaysBetween: 30, MaxPerPeriod: 2, PeriodDays: 365),
    };

    private static readonly Dictionary<long, SurpriseHistory> NoHistory = [];

    [Fact]
    public void Plan_Budget_NeverExceededAndControlGetsNothing()
    {
        var picks = SurprisePlanner.Plan(7, Program, Enumerable.Range(1, 50).Select(i => (long)i), NoHistory, 0m, Now);

        var treated = picks.Where(p => !p.Control).ToList();
        Assert.Equal(3, treated.Count); // 3 × 3 = 9 ≤ 10; a fourth would make 12
        Assert.All(picks, p => Assert.Equal(ControlGroups.InControl("surprise-7", p.Customer, 0.3), p.Control));
        Assert.DoesNotContain(SurprisePlanner.Plan(7, Program, [1, 2, 3], NoHistory, 8m, Now), p => !p.Control); // 2 left < 3
    }

    [Fact]
    public void Plan_Spacing_RecentAndTooManySkipped()
    {
        var history = new Dictionary<long, SurpriseHistory>
        {
            [1] = new(Now.AddDays(-10), [Now.AddDays(-10)]), // too recent
            [2] = new(Now.AddDays(-40), [Now.AddDays(-200), Now.AddDays(-40)]), // two in the year already
            [3] = new(Now.AddDays(-40), [Now.AddDays(-40)]), // allowed
        };

        var picks = SurprisePlanner.Plan(1, Program with { HoldoutShare = 0 }, [1, 2, 3, 4], history, 0m, Now);

        Assert.Equal([3L, 4L], picks.Select(p => p.Customer));
    }

    [Fact]
    public void Plan_MaxPerRun_StopsAfterThatManyGifts()
    {
        var picks = SurprisePlanner.Plan(1, Program with { Budget = 1000m, MaxPerRun = 2, HoldoutShare = 0 }, [5, 6, 7], NoHistory, 0m, Now);

        Assert.Equal([5L, 6L], picks.Select(p => p.Customer));
    }

    [Fact]
    public void Effect_CraftedOutcomes_RatesMeansAndInterval()
    {
        var effect = SurpriseEffect.Compute(30, [
            (false, true, 10m), (false, true, 20m), (false, true, 30m), (false, false, 0m),
            (true, true, 10m), (true, false, 0m),
        ]);

        Assert.Equal(0.75, effect.Retention.TreatedRate);
        Assert.Equal(0.5, effect.Retention.ControlRate);
        Assert.Equal((15m, 5m, 10m), (effect.TreatedSpend, effect.ControlSpend, effect.SpendDifference));

        // Variances 500/3 and 50; se = √(166.67/4 + 50/2) = 8.165; ±1.96·se = ±16.00.
        Assert.Equal(-6.00m, effect.SpendLow);
        Assert.Equal(26.00m, effect.SpendHigh);
        Assert.Null(SurpriseEffect.Compute(30, [(false, true, 5m)]).SpendLow);
    }

    [Fact]
    public void Validate_BadProgramme_ListsEveryProblem()
    {
        var bad = new SurpriseProgram { Name = "", Budget = 0, Gift = new SurpriseGift("car", -1), HoldoutShare = 1 };

        var errors = bad.Validate(_ => true, _ => true);

        Assert.Equal(5, errors.Count);
        Assert.Empty(Program.Validate(_ => true, _ => true));
    }
}
