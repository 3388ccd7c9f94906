using Rapport.Engine.Needs;

namespace Rapport.Engine.Tests.Needs;

public sealed class CadenceTests
{
    private const long Day = 86_400_000;

    [Fact]
    public void Compute_MedianIntervalAndNextDate()
    {
        // Coffee on days 0, 10, 30 and 40 (and twice on day 30): intervals 10, 20, 10 → median 10.
        var at = new[] { 0, 10, 30, 30, 40 }.Select(d => ("COFFEE", (d * Day) + (3 * 3_600_000L)));

        var c = Assert.Single(PurchaseCadence.Compute(at));

        Assert.Equal(4, c.Purchases);
        Assert.Equal(10, c.MedianIntervalDays);
        Assert.Equal((40 * Day) + (3 * 3_600_000L), c.LastPurchaseAt);
        Assert.Equal((50 * Day) + (3 * 3_600_000L), c.NextPurchaseAt);
    }

    [Fact]
    public void Compute_EvenNumberOfIntervals_AveragesTheMiddleTwo()
    {
        var c = Assert.Single(PurchaseCadence.Compute(new[] { 0, 7, 21 }.Select(d => ("TEA", d * Day))));

        Assert.Equal(10.5, c.MedianIntervalDays);
    }

    [Fact]
    public void Compute_SinglePurchase_HasNoPrediction()
    {
        var c = Assert.Single(PurchaseCadence.Compute([("LAMP", 5 * Day), ("LAMP", (5 * Day) + 1000)]));

        Assert.Equal(1, c.Purchases);
        Assert.Null(c.MedianIntervalDays);
        Assert.Null(c.NextPurchaseAt);
    }

    [Fact]
    public void Compute_BeforeTheEpoch_CountsWholeDays()
    {
        var c = Assert.Single(PurchaseCadence.Compute([("X", -Day + 1), ("X", -1), ("X", 1)]));

        Assert.Equal(2, c.Purchases);
        Assert.Equal(1, c.MedianIntervalDays);
    }
}
