using Rapport.Engine.Needs;

namespace Rapport.Engine.Tests.Needs;

public sealed class CadenceTests
{
    private const long Day = 86_400_000;

    [Fact]
    public void Compute_FromLines_CustomerAfterCustomer_MatchesTheLinqForm()
    {
        // The lines form reuses the thread's working arrays: a large history, then smaller ones,
        // must each come out as the plain form computes them, nothing left over from the last.
        var random = new Random(7);
        foreach (var size in new[] { 200, 3, 57, 1, 120, 2, 0, 9 })
        {
            var lines = Enumerable.Range(0, size)
                .Select(_ => new PurchaseLine("o", random.NextInt64(-40, 400) * Day / 3, $"SKU{random.Next(6)}", null, 1 + random.Next(3), 500, null, false))
                .ToList();

            var fast = PurchaseCadence.Compute((IReadOnlyList<PurchaseLine>)lines);
            var plain = PurchaseCadence.Compute(lines.Select(l => (l.Sku, l.At)));

            Assert.Equal(plain, fast);
        }
    }

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
