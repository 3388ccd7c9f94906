using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

public sealed class CustomerLifetimeValueTests
{
    private static readonly BgNbdModel Model = new(0.243, 4.414, 0.793, 2.426);
    private static readonly GammaGammaModel Spend = new(6.25, 3.74, 15.44);

    private static readonly CustomerSummary[] Customers =
    [
        new("loyal", new DateOnly(1997, 1, 1), 6, 36.0, 38.86, 40.0, 0),
        new("lapsed", new DateOnly(1997, 1, 1), 6, 5.0, 38.86, 40.0, 0),
        new("new", new DateOnly(1997, 3, 1), 0, 0, 30.0, 0, 0),
        new("twin", new DateOnly(1997, 1, 1), 6, 36.0, 38.86, 10.0, 0),
    ];

    [Fact]
    public void Score_NoDiscount_IsMarginTimesSpendTimesExpectedPurchases()
    {
        var scores = CustomerLifetimeValue.Score(Model, Spend, Customers, new ClvOptions(52, 0.0, 0.3));

        foreach (var (s, c) in scores.Zip(Customers))
        {
            double purchases = Model.ConditionalExpectedPurchases(52, c.Frequency, c.Recency, c.Age);
            double spend = Spend.ConditionalExpectedSpend(c.Frequency, c.MeanRepeatValue);
            Digits.Close(purchases, s.ExpectedPurchases, 1e-12, $"{c.CustomerId} purchases");
            Digits.Close(spend, s.ExpectedSpend, 1e-12, $"{c.CustomerId} spend");
            Digits.Close(0.3 * spend * purchases, s.Clv, 1e-9, $"{c.CustomerId} clv");
            Assert.Equal(Model.ProbabilityAlive(c.Frequency, c.Recency, c.Age), s.ProbabilityAlive);
        }
    }

    [Fact]
    public void DiscountedPurchases_TenPercentAYear_EqualsWeeklySumByHand()
    {
        var options = new ClvOptions(10, 0.10);
        double byHand = 0, previous = 0;
        for (int k = 1; k <= 10; k++)
        {
            double cumulative = Model.ConditionalExpectedPurchases(k, 6, 36.0, 38.86);
            byHand += (cumulative - previous) / Math.Pow(1.10, k / (365.25 / 7));
            previous = cumulative;
        }

        Digits.Close(byHand, CustomerLifetimeValue.DiscountedPurchases(Model, options, 6, 36.0, 38.86), 1e-12, "discounted");
    }

    [Fact]
    public void Score_PositiveDiscount_BetweenHorizonDiscountedAndUndiscounted()
    {
        var plain = CustomerLifetimeValue.Score(Model, Spend, Customers, new ClvOptions(104, 0));
        var discounted = CustomerLifetimeValue.Score(Model, Spend, Customers, new ClvOptions(104, 0.2));

        for (int i = 0; i < Customers.Length; i++)
        {
            Assert.InRange(discounted[i].Clv, plain[i].Clv * Math.Pow(1.2, -2.0), plain[i].Clv);
        }
    }

    [Fact]
    public void Score_RecentBuyerVersusLapsedBuyer_RanksRecentHigher()
    {
        var s = CustomerLifetimeValue.Score(Model, Spend, Customers, new ClvOptions(52, 0.1));

        Assert.True(s[0].Clv > 2 * s[1].Clv, $"loyal {s[0].Clv} vs lapsed {s[1].Clv}");
        Assert.True(s[0].ProbabilityAlive > s[1].ProbabilityAlive);
        Assert.Equal(s[0].ExpectedPurchases, s[3].ExpectedPurchases); // same (x, t_x, T), cached
        Assert.True(s[3].ExpectedSpend < s[0].ExpectedSpend);
    }

    [Fact]
    public void Score_SpendModelWithoutFiniteMean_ThrowsExplaining()
    {
        var e = Assert.Throws<ArgumentException>(
            () => CustomerLifetimeValue.Score(Model, new GammaGammaModel(2, 0.9, 10), Customers, new ClvOptions(52, 0.1)));

        Assert.Contains("q = 0.9", e.Message);
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(52, -1.0)]
    [InlineData(52, double.NaN)]
    public void Score_InvalidOptions_Throws(int horizon, double rate)
    {
        Assert.Throws<ArgumentException>(
            () => CustomerLifetimeValue.Score(Model, Spend, Customers, new ClvOptions(horizon, rate)));
    }
}
