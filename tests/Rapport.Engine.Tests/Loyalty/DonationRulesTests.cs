using Rapport.Engine.Loyalty;

namespace Rapport.Engine.Tests.Loyalty;

public sealed class DonationRulesTests
{
    private static readonly CauseChoice[] Two = [new(1, 3, 1.5m), new(2, 1, 0.5m)];

    [Fact]
    public void SplitPoints_ByShares_RemainderToFirstAndValuedAtPointValue()
    {
        var split = DonationRules.SplitPoints(101, Two, 0.01m);

        Assert.Equal([new CauseAmount(1, 76, 0.76m), new CauseAmount(2, 25, 0.25m)], split);
        Assert.Equal(101, split.Sum(a => a.Points));
    }

    [Fact]
    public void SplitPoints_OneCauseOrNoShares_AllToItOrNothing()
    {
        Assert.Equal([new CauseAmount(9, 50, 0.5m)], DonationRules.SplitPoints(50, Two, 0.01m, only: 9));
        Assert.Empty(DonationRules.SplitPoints(50, [new CauseChoice(1, 0, 2)], 0.01m));
    }

    [Fact]
    public void ForOrder_PercentOfCashPaid_ScaledDownOverTheMaximum()
    {
        Assert.Equal([new CauseAmount(1, 0, 1.20m), new CauseAmount(2, 0, 0.40m)], DonationRules.ForOrder(80m, Two, 5m));

        // 2% in total allowed: 1.5% and 0.5% add up to 2%, so unchanged; at 1% both halve.
        Assert.Equal([new CauseAmount(1, 0, 0.60m), new CauseAmount(2, 0, 0.20m)], DonationRules.ForOrder(80m, Two, 1m));
        Assert.Empty(DonationRules.ForOrder(0m, Two, 5m));
    }

    [Fact]
    public void ToReverse_RefundedShareNeverMoreThanStanding()
    {
        Assert.Equal(0.60m, DonationRules.ToReverse(1.20m, 1.20m, 100m, 50m));
        Assert.Equal(0.20m, DonationRules.ToReverse(1.20m, 0.20m, 100m, 50m));
        Assert.Equal(0.20m, DonationRules.ToReverse(1.20m, 0.20m, 100m, null));
        Assert.Equal(0m, DonationRules.ToReverse(1.20m, 0m, 100m, 100m));
    }

    [Fact]
    public void Validate_OverTheMaximumOrRepeatedCause_SaysWhy()
    {
        Assert.Null(DonationRules.Validate(Two, 5m));
        Assert.Contains("at most 1%", DonationRules.Validate(Two, 1m), StringComparison.Ordinal);
        Assert.Contains("once", DonationRules.Validate([new(1, 1, 0), new(1, 1, 0)], 5m), StringComparison.Ordinal);
        Assert.NotNull(DonationRules.Validate([new(1, -1, 0)], 5m));
    }
}
