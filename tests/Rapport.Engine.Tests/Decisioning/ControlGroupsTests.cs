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
