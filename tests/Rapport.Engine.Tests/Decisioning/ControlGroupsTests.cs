using Rapport.Engine.Decisioning;

namespace Rapport.Engine.Tests.Decisioning;

public class ControlGroupsTests
{
    [Fact]
    public void InControl_ShareOfCustomers_StableAndIndependentAcrossActions()
    {
        var a = Enumerable.Range(1, 20_000).Where(c => ControlGroups.InControl(7, c, 0.2)).ToHashSet();
        var b = Enumerable.Range(1, 20_000).Where(c => ControlGroups.InControl(8, c, 0.2)).ToHashSet();

        Assert.InRange(a.Count, 3_700, 4_300); // 20% of 20,000, within about 5 standard deviations
        Assert.Equal(a, Enumerable.Range(1, 20_000).Where(c => ControlGroups.InControl(7, c, 0.2)).ToHashSet());
        Assert.InRange(a.Intersect(b).Count(), 600, 1_000); // independent: about 4% of customers are in both
        Assert.DoesNotContain(Enumerable.Range(1, 1_000), c => ControlGroups.InControl(7, c, 0));
    }

    [Fact]
    public void Uplift_DifferenceOfProportions_WithWaldInterval()
    {
        var u = Uplift.Compute(treated: 1_000, treatedConverted: 200, control: 1_000, controlConverted: 150);

        Assert.Equal(0.2, u.TreatedRate, 12);
        Assert.Equal(0.15, u.ControlRate, 12);
        Assert.Equal(0.05, u.Difference, 12);
        Assert.Equal(0.016766, u.Low, 5);
        Assert.Equal(0.083234, u.High, 5);
    }

    [Fact]
    public void Uplift_EmptyControl_IntervalIsUnbounded()
    {
        var u = Uplift.Compute(10, 5, 0, 0);

        Assert.Equal((0.5, 0.0, -1.0, 1.0), (u.TreatedRate, u.ControlRate, u.Low, u.High));
    }
}

public class ReciprocityWeightTests
{
    [Theory]
    [InlineData("surprise", 0, 1.0)]
    [InlineData("reward", 100, 1.25)]
    [InlineData("discount", -100, 0.75)]
    [InlineData("surprise", 900, 1.45)]
    [InlineData("content", 500, 1.0)]
    [InlineData("product_offer", -500, 1.0)]
    public void Weight_FavoursGiftsToCustomersWhoGaveMore(string kind, double balance, double expected) =>
        Assert.Equal(expected, ReciprocityWeight.For(kind, (decimal)balance), 4);

    [Fact]
    public void Rank_SameGiftForTwoCustomers_TheOneWhoGaveMoreScoresHigher()
    {
        var gift = new ActionSpec(1, "Gift", "surprise", "marketing", ["web"], [], [], null, null, null, null, null, 1, 10, new PropensityPrior(0.1, 10), null, null);
        var content = new ActionSpec(2, "Guide", "content", "marketing", ["web"], [], [], null, null, null, null, null, 1, 9, new PropensityPrior(0.1, 10), null, null);
        var candidates = new[] { new Candidate(gift, ActionHistory.None, true), new Candidate(content, ActionHistory.None, true) };
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var generous = DecisionRanker.Rank(new DecisionRequest("web", null, now, new HashSet<long>(), Reciprocity: 300), candidates).Ranked;
        var taker = DecisionRanker.Rank(new DecisionRequest("web", null, now, new HashSet<long>(), Reciprocity: -300), candidates).Ranked;

        Assert.Equal(["Gift", "Guide"], generous.Select(r => r.Action.Name));
        Assert.Equal(["Guide", "Gift"], taker.Select(r => r.Action.Name)); // 10 × 0.625 < 9
        Assert.Equal(generous[1].Score, taker[0].Score); // content is not weighted
    }
}
