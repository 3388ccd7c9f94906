using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

public sealed class GammaGammaModelTests
{
    [Fact]
    public void Fit_CdnowMeanOfMergedRepeatPurchases_ReproducesPublishedEstimates()
    {
        // Fader, Hardie and Lee (2005) "RFM and CLV": p = 6.25, q = 3.74, gamma = 15.44 on 946 repeat buyers;
        // CLVTools pins the LL at -4055.9177.
        var fit = GammaGammaModel.Fit(CdnowSample.Summaries);

        Digits.Close(6.25, fit.Model.P, 0.005, "p");
        Digits.Close(3.74, fit.Model.Q, 0.005, "q");
        Digits.Close(15.44, fit.Model.Gamma, 0.005, "gamma");
        Digits.Close(-4055.9177, fit.LogLikelihood, 0.0005, "LL");
        Assert.Equal(946, fit.Customers);
    }

    [Fact]
    public void Fit_SpendIncludingFirstPurchase_DoesNotReproducePublishedEstimates()
    {
        // Pins the definition: the paper's m_x excludes the first purchase. Averaging all purchase
        // days instead moves p from 6.25 to about 14, so a protocol regression shows up here.
        var byCustomer = CdnowSample.Transactions
            .Where(t => t.Date <= CdnowSample.CalibrationEnd)
            .GroupBy(t => t.CustomerId)
            .Select(g => (Days: g.GroupBy(t => t.Date).Select(d => d.Sum(t => t.Amount)).ToArray(), g.Key))
            .Where(c => c.Days.Length > 1)
            .ToArray();
        int[] x = byCustomer.Select(c => c.Days.Length - 1).ToArray();
        double[] m = byCustomer.Select(c => (double)c.Days.Average()).ToArray();

        var p = GammaGammaModel.Fit(x, m).Model.P;

        Assert.True(Math.Abs(p - 6.25) > 1, $"p = {p}");
    }

    [Fact]
    public void ConditionalExpectedSpend_Formula_WeighsPopulationAndCustomerMeans()
    {
        var m = new GammaGammaModel(6.25, 3.74, 15.44);
        double population = 6.25 * 15.44 / 2.74;
        double weight = 6.25 * 3 / (6.25 * 3 + 3.74 - 1);

        Digits.Close(population, m.PopulationMeanSpend, 1e-12, "population mean");
        Digits.Close(population, m.ConditionalExpectedSpend(0, 0), 1e-12, "x = 0");
        Digits.Close((1 - weight) * population + weight * 50, m.ConditionalExpectedSpend(3, 50), 1e-12, "x = 3");
    }

    [Fact]
    public void Fit_TooFewSpenders_Throws()
    {
        var e = Assert.Throws<ModelFitException>(() => GammaGammaModel.Fit([1, 2, 0], [10.0, 20.0, 0]));

        Assert.Equal(ModelFitFailure.TooFewRepeatBuyers, e.Failure);
    }
}
