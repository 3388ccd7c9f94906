using Rapport.Engine.Value;

namespace Rapport.Engine.Tests.Value;

public sealed class PopulationScoringTests
{
    [Fact]
    public void Score_TwentyBuyersAndOneProspect_TiersRfmAndPercentiles()
    {
        // Customer i (0..19) has i+1 orders, last order at day i, net revenue 100·(i+1), margin 10·(i+1);
        // customer 20 never bought (a service cost gave them a value row).
        const int n = 21;
        var orders = new long[n];
        var last = new long[n];
        var net = new long[n];
        var margin = new long[n];
        for (int i = 0; i < 20; i++)
        {
            orders[i] = i + 1;
            last[i] = i * 86_400_000L;
            net[i] = 100 * (i + 1);
            margin[i] = 10 * (i + 1);
        }

        margin[20] = -50;

        var s = PopulationScoring.Score(orders, last, net, margin, new ValueScoringOptions());

        Assert.Equal(20, s.Buyers);
        Assert.Equal([1, 3, 6, 10], s.TierCounts); // 5% of 20 = 1 platinum, top 20% = 4, top 50% = 10
        Assert.Equal(0, s.Tier[19]);
        Assert.Equal(1, s.Tier[18]);
        Assert.Equal(1, s.Tier[16]);
        Assert.Equal(2, s.Tier[15]);
        Assert.Equal(3, s.Tier[9]);
        Assert.Equal(-1, s.Tier[20]);
        Assert.Equal(0, s.R[20]);
        Assert.True(double.IsNaN(s.MarginPercentile[20]));
        Assert.Equal((5, 5, 5), (s.R[19], s.F[19], s.M[19]));
        Assert.Equal((1, 1, 1), (s.R[0], s.F[0], s.M[0]));
        Assert.Equal((3, 3, 3), (s.R[9], s.F[9], s.M[9])); // 9 of 20 below → 1 + ⌊2.25⌋
        Assert.Equal(1.0, s.RevenuePercentile[19]);
        Assert.Equal(0.05, s.MarginPercentile[0], 12);
        // Top 20% (4 customers: 17..20 orders) of net revenue 100·(1+…+20) = 21,000: 100·(17+18+19+20) = 7,400.
        Assert.Equal(7_400.0 / 21_000, s.Revenue.ShareOfTop!.Value, 12);
    }

    [Fact]
    public void ScoreOne_MemberOfSmallPopulation_MatchesBulkScores()
    {
        var rng = new Random(7);
        const int n = 500;
        var orders = Enumerable.Range(0, n).Select(_ => (long)rng.Next(1, 6)).ToArray();
        var last = Enumerable.Range(0, n).Select(_ => (long)rng.Next(0, 365) * 86_400_000L).ToArray();
        var net = Enumerable.Range(0, n).Select(_ => (long)rng.Next(-100, 100_000)).ToArray();
        var margin = Enumerable.Range(0, n).Select(_ => (long)rng.Next(-5_000, 40_000)).ToArray();
        var options = new ValueScoringOptions();

        var bulk = PopulationScoring.Score(orders, last, net, margin, options);

        for (int i = 0; i < n; i++)
        {
            var one = PopulationScoring.ScoreOne(bulk.Distributions, options.EffectiveTiers, last[i], orders[i], net[i], margin[i]);
            Assert.Equal((bulk.R[i], bulk.F[i], bulk.M[i], bulk.Tier[i]), (one.R, one.F, one.M, one.Tier));
            Assert.Equal(bulk.RevenuePercentile[i], one.RevenuePercentile, 12);
            Assert.Equal(bulk.MarginPercentile[i], one.MarginPercentile, 12);
        }
    }

    [Fact]
    public void ScoreOne_LargePopulation_PercentileWithinAThousandth()
    {
        var rng = new Random(11);
        const int n = 200_000;
        var margin = Enumerable.Range(0, n).Select(_ => (long)(rng.NextDouble() * rng.NextDouble() * 1_000_000)).ToArray();
        var ones = Enumerable.Repeat(1L, n).ToArray();
        var options = new ValueScoringOptions();

        var bulk = PopulationScoring.Score(ones, ones, margin, margin, options);

        double worst = 0;
        for (int i = 0; i < n; i += 97)
        {
            var one = PopulationScoring.ScoreOne(bulk.Distributions, options.EffectiveTiers, 1, 1, margin[i], margin[i]);
            worst = Math.Max(worst, Math.Abs(one.MarginPercentile - bulk.MarginPercentile[i]));
        }

        Assert.False(bulk.Distributions.Margin.IsExact);
        Assert.True(worst < 0.0015, $"worst percentile error {worst}");
    }

    [Fact]
    public void ValueTiers_CustomTiersThatDoNotEndAtOne_AreRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ValueTiers([new("vip", 0.1), new("rest", 0.9)]));
        Assert.Contains("last must be 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Margin_Formula_SubtractsCostsDiscountsReturnsRewardsAndService()
    {
        // Sold 3 lamps at 10.00 (cost 6.00) with 2.00 off, refunded one (10.00, its cost back),
        // a 1.50 reward and a 4.00 service call.
        var v = new CustomerValueFigures(
            Orders: 1, Returns: 1, RevenueE4: 300_000, CostE4: 120_000, DiscountE4: 20_000, ReturnsE4: 100_000,
            RewardCostE4: 15_000, ServiceCostE4: 40_000, FirstOrderAt: 0, LastOrderAt: 0);

        Assert.Equal(300_000 - 120_000 - 20_000 - 100_000 - 15_000 - 40_000, v.MarginE4);
        Assert.Equal(180_000, v.NetRevenueE4);
        Assert.Equal(280_000, v.AovE4);
    }
}
