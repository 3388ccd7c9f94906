using static Rapport.Engine.Clv.ClvMath;

namespace Rapport.Engine.Clv;

/// <summary>
/// The Gamma-Gamma spend model (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves
/// for customer base analysis"): a customer's transaction values are Gamma(p, ν) with
/// ν ~ Gamma(q, γ), so their mean transaction value is pγ/(q-1) across the population. Fitted on
/// customers with repeat purchases, using the mean of their repeat transactions.
/// </summary>
public sealed record GammaGammaModel(double P, double Q, double Gamma)
{
    /// <summary>Fewer repeat buyers than this cannot pin down three parameters.</summary>
    public const int MinimumRepeatBuyers = 10;

    /// <summary>Named parameters in the paper's order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Parameters => [new("p", P), new("q", Q), new("gamma", Gamma)];

    /// <summary>
    /// Population mean transaction value, pγ/(q-1); infinite when q &lt;= 1 (the mixing
    /// distribution then has no mean), which callers must treat as "model unusable".
    /// </summary>
    public double PopulationMeanSpend => Q > 1 ? P * Gamma / (Q - 1) : double.PositiveInfinity;

    /// <summary>
    /// E[M | p, q, γ, m_x, x] = (p(γ + x·m_x)) / (px + q - 1): a weighted average of the population
    /// mean and the customer's observed mean, shifting towards the latter as x grows.
    /// With x = 0 this is the population mean.
    /// </summary>
    public double ConditionalExpectedSpend(int x, double meanValue) =>
        Q > 1 || x > 0 ? P * (Gamma + x * meanValue) / (P * x + Q - 1) : double.PositiveInfinity;

    /// <summary>Log-likelihood of one customer's mean of x repeat transaction values.</summary>
    public double LogLikelihood(int x, double meanValue)
    {
        double px = P * x;
        return GammaLn(px + Q) - GammaLn(px) - GammaLn(Q) + Q * Math.Log(Gamma)
            + (px - 1) * Math.Log(meanValue) + px * Math.Log(x) - (px + Q) * Math.Log(Gamma + meanValue * x);
    }

    /// <summary>
    /// Fits p, q, γ by maximum likelihood on customers with x &gt; 0 and a positive mean value
    /// (others carry no spend information and are skipped).
    /// </summary>
    public static ModelFit<GammaGammaModel> Fit(ReadOnlySpan<int> frequency, ReadOnlySpan<double> meanValue)
    {
        if (frequency.Length != meanValue.Length)
        {
            throw new ArgumentException("frequency and meanValue must have the same length.");
        }

        var xs = new List<int>();
        var ms = new List<double>();
        for (int i = 0; i < frequency.Length; i++)
        {
            if (frequency[i] > 0 && meanValue[i] > 0 && double.IsFinite(meanValue[i]))
            {
                xs.Add(frequency[i]);
                ms.Add(meanValue[i]);
            }
        }

        if (xs.Count < MinimumRepeatBuyers)
        {
            throw new ModelFitException(
                ModelFitFailure.TooFewRepeatBuyers,
                $"Only {xs.Count} customers have repeat purchases with a positive amount; the Gamma-Gamma spend fit needs at least {MinimumRepeatBuyers}. Move the calibration end later or check the amount column.");
        }

        var data = new GammaGammaData(xs.ToArray(), ms.ToArray());
        double mean = ms.Average();
        var result = LogSpaceOptimizer.MinimizeWithGradient(
            "Gamma-Gamma", ["p", "q", "gamma"], data.NegativeMeanLogLikelihood, [1.0, 1.0, mean]);
        var p = result.Parameters;
        return new ModelFit<GammaGammaModel>(
            new GammaGammaModel(p[0], p[1], p[2]), -result.Value * xs.Count, result.Iterations, xs.Count);
    }

    /// <summary>Fits on customer summaries (their x and mean repeat value).</summary>
    public static ModelFit<GammaGammaModel> Fit(ReadOnlySpan<CustomerSummary> customers)
    {
        var x = new int[customers.Length];
        var m = new double[customers.Length];
        for (int i = 0; i < customers.Length; i++)
        {
            x[i] = customers[i].Frequency;
            m[i] = customers[i].MeanRepeatValue;
        }

        return Fit(x, m);
    }
}
