namespace Rapport.Engine.Clv;

/// <summary>
/// Maximum-likelihood fit of <see cref="ParetoNbdModel"/>. The ₂F₁ in the likelihood has no
/// convenient derivative, so this uses Nelder-Mead with a finite-difference BFGS polish.
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
        var result = LogSpaceOptimizer.MinimizeWithoutGradient(
            "Pareto/NBD",
            theta => -new ParetoNbdModel(
                Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]), Math.Exp(theta[3])).LogLikelihood(data) / n,
            [1.0, meanAge, 1.0, meanAge]);
        var p = result.Parameters;
        return new ModelFit<ParetoNbdModel>(
            new ParetoNbdModel(p[0], p[1], p[2], p[3]), -result.Value * n, result.Iterations, data.CustomerCount);
    }
}
