using static Rapport.Engine.Clv.ClvMath;

namespace Rapport.Engine.Clv;

/// <summary>
/// Maximum-likelihood fit of <see cref="ParetoNbdModel"/>. The ₂F₁ in the likelihood has no
/// convenient derivative, so this uses BFGS on central differences (Nelder-Mead as a fallback).
/// </summary>
public static class ParetoNbdFitter
{
    /// <summary>Fits r, α, s, β; throws <see cref="ModelFitException"/> when there is no maximum.</summary>
    public static ModelFit<ParetoNbdModel> Fit(RepeatPurchaseData data)
    {
        if (data.RepeatBuyerCount < ParetoNbdModel.MinimumRepeatBuyers)
        {
            throw new ModelFitException(
                ModelFitFailure.TooFewRepeatBuyers,
                $"Only {data.RepeatBuyerCount} of {data.CustomerCount} customers bought again in the calibration period; the Pareto/NBD fit needs at least {ParetoNbdModel.MinimumRepeatBuyers}. Move the calibration end later or add customers.");
        }

        double n = data.CustomerCount;
        double meanAge = Math.Max(data.Age.Zip(data.Count, (t, c) => t * c).Sum() / n, 1e-3);
        var logGammaRatio = new double[data.MaxFrequency + 1];
        var result = LogSpaceOptimizer.MinimizeWithoutGradient(
            "Pareto/NBD", ["r", "alpha", "s", "beta"], theta => NegativeMeanLogLikelihood(data, logGammaRatio, theta), [1.0, meanAge, 1.0, meanAge]);
        var p = result.Parameters;
        return new ModelFit<ParetoNbdModel>(
            new ParetoNbdModel(p[0], p[1], p[2], p[3]), -result.Value * n, result.Iterations, data.CustomerCount);
    }

    /// <summary>
    /// -LL / N at log-parameters; the same sum as <see cref="ParetoNbdModel.LogLikelihood(RepeatPurchaseData)"/>
    /// with ln Γ(r+x) - ln Γ(r) computed once per distinct x instead of per group.
    /// </summary>
    internal static double NegativeMeanLogLikelihood(RepeatPurchaseData data, double[] logGammaRatio, double[] theta)
    {
        var m = new ParetoNbdModel(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]), Math.Exp(theta[3]));
        double lgR = GammaLn(m.R);
        for (int x = 0; x < logGammaRatio.Length; x++)
        {
            logGammaRatio[x] = GammaLn(m.R + x) - lgR;
        }

        double constant = m.R * Math.Log(m.Alpha) + m.S * Math.Log(m.Beta), ll = 0;
        for (int i = 0; i < data.GroupCount; i++)
        {
            int x = data.Frequency[i];
            double term = m.LogBracket(x, data.Recency[i], data.Age[i], out _);
            if (double.IsNaN(term))
            {
                // A series gave up (parameters far out); no point summing the other groups.
                return double.NaN;
            }

            ll += data.Count[i] * (logGammaRatio[x] + constant + term);
        }

        return -ll / data.CustomerCount;
    }
}
