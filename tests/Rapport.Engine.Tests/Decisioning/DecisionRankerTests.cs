using Rapport.Engine.Decisioning;

namespace Rapport.Engine.Tests.Decisioning;

public sealed class DecisionRankerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static ActionSpec Spec(long id, decimal value = 10, double priority = 1, string kind = ActionKinds.Discount) =>
        new(id, $"a{id}", kind, "marketing", ["web", "email"], [], [], null, null, null, null, null, priority, value, PropensityPrior.Default, null, null);

    private static DecisionRequest Web(params long[] segments) => new("web", "home", Now, segments.ToHashSet());

    [Fact]
    public void Rank_PropensityTimesValueTimesPriority_HighestFirst()
    {
        var (ranked, excluded) = DecisionRanker.Rank(Web(),
        [
            new(Spec(1, value: 10), ActionHistory.None, true),                 // 0.1 × 10 = 1
            new(Spec(2, value: 5, priority: 3), ActionHistory.None, true),     // 0.1 × 5 × 3 = 1.5
            new(Spec(3, value: 10), new ActionHistory(40, 20, 10, []), true),  // (1 + 20) / (10 + 30) × 10 = 5.25
        ]);

        Assert.Empty(excluded);
        Assert.Equal([3L, 2L, 1L], ranked.Select(r => r.Action.Id));
        Assert.Equal(21.0 / 40, ranked[0].Propensity, 10);
        Assert.Equal(5.25, ranked[0].ExpectedValue, 10);
    }

    [Fact]
    public void Posterior_NoOutcomes_IsThePriorMean_ManyOutcomes_ApproachTheRate()
    {
        var prior = new PropensityPrior(0.1, 10);

        Assert.Equal(0.1, prior.Posterior(0, 0), 10);
        Assert.Equal(0.5, prior.Posterior(5000, 5000), 2);
    }

    [Fact]
    public void Rank_EveryRule_ExcludesWithItsReason()
    {
        var mine = new[] { Now.AddHours(-2) };
        var candidates = new Candidate[]
        {
            new(Spec(1) with { Active = false }, ActionHistory.None, true),
            new(Spec(2) with { Channels = ["email"] }, ActionHistory.None, true),
            new(Spec(3) with { Placements = ["cart"] }, ActionHistory.None, true),
            new(Spec(4) with { From = Now.AddDays(1) }, ActionHistory.None, true),
            new(Spec(5) with { Until = Now }, ActionHistory.None, true),
            new(Spec(6) with { SegmentIds = [99] }, ActionHistory.None, true),
            new(Spec(7), ActionHistory.None, false),
            new(Spec(8) with { Budget = new ActionBudget(100, null) }, new ActionHistory(100, 0, 0, []), true),
            new(Spec(9) with { Budget = new ActionBudget(null, 1) }, new ActionHistory(5, 0, 0, mine), true),
            new(Spec(10) with { Cap = new FrequencyCap(1, 1) }, new ActionHistory(5, 0, 0, mine), true),
            new(Spec(11) with { Cooldown = TimeSpan.FromHours(3) }, new ActionHistory(5, 0, 0, mine), true),
            new(Spec(12) with { SegmentIds = [7, 8], Cap = new FrequencyCap(2, 1), Cooldown = TimeSpan.FromHours(1) }, new ActionHistory(5, 0, 0, mine), true),
        };

        var (ranked, excluded) = DecisionRanker.Rank(Web(8), candidates);

        Assert.Equal([12L], ranked.Select(r => r.Action.Id));
        Assert.Equal(
            ["inactive", "channel", "placement", "window", "window", "segment", "condition", "budget_exhausted", "budget_exhausted", "frequency_cap", "cooldown"],
            excluded.Select(e => e.Reason));
    }

    [Fact]
    public void Rank_SameScore_HigherPriorityThenLowerId()
    {
        var (ranked, _) = DecisionRanker.Rank(Web(), [new(Spec(5, value: 2, priority: 1), ActionHistory.None, true), new(Spec(4, value: 1, priority: 2), ActionHistory.None, true), new(Spec(3, value: 1, priority: 2), ActionHistory.None, true)]);

        Assert.Equal([3L, 4L, 5L], ranked.Select(r => r.Action.Id));
    }

    [Fact]
    public void Reason_TemplateWithKnownFacts_Filled_MissingFactFallsBackToKindDefault()
    {
        var facts = new Dictionary<string, string> { ["last_bought"] = "Blue Lamp", ["first_name"] = "Ann" };

        var (reason, used) = ReasonWriter.Write(ActionKinds.ProductOffer, null, facts);
        Assert.Equal("because you bought Blue Lamp", reason);
        Assert.Equal("Blue Lamp", used["last_bought"]);

        Assert.Equal("Ann, this one is for you", ReasonWriter.Write(ActionKinds.Surprise, "{first_name}, this one is for you", facts).Reason);
        Assert.Equal("thank you for shopping with us", ReasonWriter.Write(ActionKinds.Reward, null, facts).Reason);
        Assert.Equal("thank you for being one of our most loyal customers",
            ReasonWriter.Write(ActionKinds.Reward, null, new Dictionary<string, string> { ["loyalty"] = "one of our most loyal customers" }).Reason);
    }
}
