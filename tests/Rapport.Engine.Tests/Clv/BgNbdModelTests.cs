using MathNet.Numerics.Distributions;
using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

public sealed class BgNbdModelTests
{
    // Fader, Hardie and Lee (2005), table 1 / the bgnbd.xls sheet.
    private static readonly BgNbdModel Published = new(0.243, 4.414, 0.793, 2.426);

    [Fact]
    public void Fit_CdnowSample_ReproducesPublishedEstimates()
    {
        var fit = CdnowSample.BgNbd;

        Digits.Close(0.243, fit.Model.R, 0.0005, "r");
        Digits.Close(4.414, fit.Model.Alpha, 0.0005, "alpha");
        Digits.Close(0.793, fit.Model.A, 0.0005, "a");
        Digits.Close(2.426, fit.Model.B, 0.0005, "b");
        Digits.Close(-9582.4, fit.LogLikelihood, 0.05, "LL");
        Assert.Equal(2357, fit.Customers);
    }

    [Fact]
    public void Fit_CdnowSample_MatchesClvToolsEstimatesToFiveDigits()
    {
        // CLVTools' correctness test (bgnbd, cdnow): 0.2425945, 4.4136019, 0.7929199, 2.4258881, LL -9582.429.
        var m = CdnowSample.BgNbd.Model;

        Digits.Close(0.2425945, m.R, 5e-6, "r");
        Digits.Close(4.4136019, m.Alpha, 5e-5, "alpha");
        Digits.Close(0.7929199, m.A, 5e-6, "a");
        Digits.Close(2.4258881, m.B, 5e-5, "b");
        Digits.Close(-9582.429, CdnowSample.BgNbd.LogLikelihood, 5e-4, "LL");
    }

    [Fact]
    public void LogLikelihood_CompressedAndPerCustomer_Agree()
    {
        double perCustomer = CdnowSample.Summaries.Sum(c => Published.LogLikelihood(c.Frequency, c.Recency, c.Age));

        Digits.Close(perCustomer, Published.LogLikelihood(CdnowSample.Data), 1e-8, "LL");
        Digits.Close(-9582.4, perCustomer, 0.1, "LL at published parameters");
    }

    [Theory]
    [InlineData(0.1429, 0.0078)]
    [InlineData(1.0, 0.0532)]
    [InlineData(3.0, 0.1506)]
    [InlineData(31.8571, 1.0405)]
    [InlineData(32.0, 1.0437)]
    [InlineData(78.0, 1.8576)]
    public void ExpectedPurchases_CdnowParameters_MatchesHardieSpreadsheet(double t, double expected)
    {
        // Values from the bgnbd.xls sheet (also lifetimes' test_expectation_returns_same_value_Hardie_excel_sheet).
        Digits.Close(expected, CdnowSample.BgNbd.Model.ExpectedPurchases(t), 0.0005, $"E[X({t})]");
    }

    [Fact]
    public void ConditionalExpectedPurchases_SpreadsheetCustomer_MatchesHardieSpreadsheet()
    {
        // Customer with x = 2, t_x = 30.43, T = 38.86: 1.226 purchases expected in the next 39 weeks.
        Digits.Close(1.226, CdnowSample.BgNbd.Model.ConditionalExpectedPurchases(39, 2, 30.43, 38.86), 0.0005, "E[Y(39)]");
        Digits.Close(1.226, Published.ConditionalExpectedPurchases(39, 2, 30.43, 38.86), 0.0005, "E[Y(39)] published");
    }

    [Fact]
    public void ConditionalExpectedPurchases_NewCustomer_EqualsUnconditional()
    {
        // With no history (x = 0, T = 0) the conditional forecast is E[X(t)].
        Digits.Close(Published.ExpectedPurchases(52), Published.ConditionalExpectedPurchases(52, 0, 0, 0), 1e-12, "E[Y]");
    }

    [Fact]
    public void ExpectedPurchases_ShapeParameterAEqualsOne_IsFiniteLimit()
    {
        // a = 1 makes the textbook formula 0/0; the implementation divides the factor out.
        var atOne = new BgNbdModel(0.3, 5, 1.0, 2.5).ExpectedPurchases(40);
        var near = new BgNbdModel(0.3, 5, 1.0 + 1e-7, 2.5).ExpectedPurchases(40);

        Assert.True(double.IsFinite(atOne));
        Digits.Close(near, atOne, 1e-6, "E[X(40)] at a = 1");
    }

    [Fact]
    public void ProbabilityAlive_NoRepeatPurchases_IsOne()
    {
        Assert.Equal(1.0, Published.ProbabilityAlive(0, 0, 30));
    }

    [Fact]
    public void ProbabilityAlive_HeavyBuyerLongSilent_StaysInUnitIntervalWithoutNaN()
    {
        for (int x = 1; x <= 500; x += 7)
        {
            foreach (double tx in new[] { 0.1, 5, 30 })
            {
                double p = Published.ProbabilityAlive(x, tx, 78);
                Assert.InRange(p, 0.0, 1.0);
            }
        }

        Assert.True(Published.ProbabilityAlive(2, 30.43, 38.86) is > 0.7 and < 0.75);
    }

    [Fact]
    public void Fit_TooFewRepeatBuyers_ThrowsWithReason()
    {
        var data = RepeatPurchaseData.From([0, 0, 0, 1], [0, 0, 0, 3.0], [10, 10, 10, 10]);

        var e = Assert.Throws<ModelFitException>(() => BgNbdModel.Fit(data));

        Assert.Equal(ModelFitFailure.TooFewRepeatBuyers, e.Failure);
        Assert.Contains("Only 1 of 4 customers", e.Message);
    }

    [Fact]
    public void NegativeMeanLogLikelihood_AnalyticGradient_MatchesFiniteDifferences()
    {
        var data = CdnowSample.Data;
        var cache = new BgNbdFitter.PerFrequency(data.MaxFrequency);
        double[] theta = [Math.Log(0.4), Math.Log(3.0), Math.Log(1.3), Math.Log(4.0)];
        var gradient = new double[4];
        BgNbdFitter.NegativeMeanLogLikelihood(data, cache, theta, gradient);

        for (int i = 0; i < 4; i++)
        {
            const double h = 1e-6;
            var up = (double[])theta.Clone();
            var down = (double[])theta.Clone();
            up[i] += h;
            down[i] -= h;
            double numeric = (BgNbdFitter.NegativeMeanLogLikelihood(data, cache, up, new double[4])
                - BgNbdFitter.NegativeMeanLogLikelihood(data, cache, down, new double[4])) / (2 * h);
            Digits.Close(numeric, gradient[i], 1e-7, $"d/dtheta[{i}]");
        }
    }

    [Fact]
    public void Fit_SimulatedFromKnownParameters_RecoversThem()
    {
        var truth = new BgNbdModel(0.5, 6.0, 0.7, 3.0);
        var (x, tx, age) = SimulateContinuous(truth, 40_000, new Random(20240601));

        var m = BgNbdModel.Fit(RepeatPurchaseData.From(x, tx, age)).Model;

        // About three standard errors at this sample size.
        Digits.Close(truth.R, m.R, 0.03, "r");
        Digits.Close(truth.Alpha, m.Alpha, 0.4, "alpha");
        Digits.Close(truth.A, m.A, 0.1, "a");
        Digits.Close(truth.B, m.B, 0.5, "b");
    }

    /// <summary>The BG/NBD story in continuous time, no day rounding: the likelihood's own assumptions.</summary>
    internal static (int[] X, double[] Tx, double[] Age) SimulateContinuous(BgNbdModel m, int n, Random rnd)
    {
        var x = new int[n];
        var tx = new double[n];
        var age = new double[n];
        for (int i = 0; i < n; i++)
        {
            age[i] = 26 + 13 * rnd.NextDouble();
            double lambda = Gamma.Sample(rnd, m.R, m.Alpha), p = Beta.Sample(rnd, m.A, m.B), t = 0;
            while (true)
            {
                t += Exponential.Sample(rnd, lambda);
                if (t > age[i])
                {
                    break;
                }

                x[i]++;
                tx[i] = t;
                if (rnd.NextDouble() < p)
                {
                    break;
                }
            }
        }

        return (x, tx, age);
    }
}
