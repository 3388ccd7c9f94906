using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

public sealed class ParetoNbdModelTests
{
    [Fact]
    public void Fit_CdnowSample_ReproducesPublishedEstimates()
    {
        // Fader, Hardie and Lee (2005) report r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0.
        var fit = CdnowSample.ParetoNbd;

        Digits.Close(0.553, fit.Model.R, 0.0005, "r");
        Digits.Close(10.578, fit.Model.Alpha, 0.002, "alpha");
        Digits.Close(0.606, fit.Model.S, 0.0005, "s");
        // beta is the least determined parameter (standard error 6.2): three digits here.
        Digits.Close(11.669, fit.Model.Beta, 0.01, "beta");
        Digits.Close(-9595.0, fit.LogLikelihood, 0.05, "LL");
    }

    [Fact]
    public void LogLikelihood_CdnowAtClvToolsEstimates_MatchesTheirOptimum()
    {
        // CLVTools' correctness test (pnbd, cdnow): 0.55315, 10.57633, 0.60625, 11.67150, LL -9594.976.
        var m = new ParetoNbdModel(0.55315, 10.57633, 0.60625, 11.67150);

        Digits.Close(-9594.976, m.LogLikelihood(CdnowSample.Data), 0.001, "LL");
        Assert.True(CdnowSample.ParetoNbd.LogLikelihood >= m.LogLikelihood(CdnowSample.Data) - 1e-6, "our optimum is no worse");
    }

    [Fact]
    public void LogLikelihood_AlphaEqualsBeta_IsContinuous()
    {
        // alpha == beta makes the hypergeometric argument zero; the value must join up with its neighbours.
        var equal = new ParetoNbdModel(0.5, 10, 0.6, 10).LogLikelihood(3, 20, 35);
        var below = new ParetoNbdModel(0.5, 10, 0.6, 10 + 1e-7).LogLikelihood(3, 20, 35);
        var above = new ParetoNbdModel(0.5, 10 + 1e-7, 0.6, 10).LogLikelihood(3, 20, 35);

        Digits.Close(equal, below, 1e-6, "beta just above alpha");
        Digits.Close(equal, above, 1e-6, "alpha just above beta");
    }

    [Fact]
    public void LogA0_HeavyBuyersWithExtremeParameters_IsFiniteAndNegative()
    {
        // lifetimes' test_overflow_error: the direct 2F1 series overflows here. The LL itself may be
        // positive (it contains a density in t_x) but must be finite.
        var m = new ParetoNbdModel(10.465, 7.98565181e-03, 3.0516, 2.820);

        foreach (var (x, tx, age) in new[] { (400, 5.0, 6.0), (500, 1.0, 37.0), (500, 4.0, 37.0) })
        {
            double logA0 = m.LogA0(x, tx, age);
            Assert.True(double.IsFinite(logA0) && logA0 < 0, $"ln A0({x}, {tx}, {age}) = {logA0}");
            Assert.True(double.IsFinite(m.LogLikelihood(x, tx, age)));
            Assert.InRange(m.ProbabilityAlive(x, tx, age), 0.0, 1.0);
        }
    }

    [Fact]
    public void ProbabilityAlive_CaseThatBrokeClvTools_IsFinite()
    {
        // CLVTools' "numerically stable PAlive that produced NaNs in previous implementation".
        var m = new ParetoNbdModel(0.5143, 2.8845, 0.2856, 14.1087);
        int[] x = [221, 254, 161, 204];
        double[] tx = [103.42857, 97.14286, 94.71429, 98.57143];
        double[] age = [103.57143, 97.28571, 98.00000, 99.42857];

        for (int i = 0; i < x.Length; i++)
        {
            Assert.InRange(m.ProbabilityAlive(x[i], tx[i], age[i]), 0.0, 1.0);
        }
    }

    [Fact]
    public void ProbabilityAlive_Grid_StaysInUnitInterval()
    {
        var m = CdnowSample.ParetoNbd.Model;
        for (int x = 0; x < 100; x += 10)
        {
            for (double tx = x == 0 ? 0 : 1; tx < 100; tx += 10)
            {
                for (double age = tx; age < 100; age += 10)
                {
                    Assert.InRange(m.ProbabilityAlive(x, tx, age), 0.0, 1.0);
                }
            }
        }
    }

    [Fact]
    public void ConditionalExpectedPurchases_ShapeSEqualsOne_IsFiniteLimit()
    {
        var atOne = new ParetoNbdModel(0.5, 10, 1.0, 12).ConditionalExpectedPurchases(39, 2, 30, 38);
        var near = new ParetoNbdModel(0.5, 10, 1.0 + 1e-8, 12).ConditionalExpectedPurchases(39, 2, 30, 38);

        Digits.Close(near, atOne, 1e-7, "E[Y(39)] at s = 1");
    }

    [Fact]
    public void ConditionalExpectedPurchases_NewCustomer_EqualsUnconditional()
    {
        var m = CdnowSample.ParetoNbd.Model;

        Digits.Close(m.ExpectedPurchases(52), m.ConditionalExpectedPurchases(52, 0, 0, 0), 1e-12, "E[Y]");
    }

    [Fact]
    public void Fit_TooFewRepeatBuyers_ThrowsWithReason()
    {
        var data = RepeatPurchaseData.From([0, 0, 2], [0, 0, 3.0], [10, 10, 10]);

        var e = Assert.Throws<ModelFitException>(() => ParetoNbdFitter.Fit(data));

        Assert.Equal(ModelFitFailure.TooFewRepeatBuyers, e.Failure);
    }
}
