namespace Rapport.Engine.Clv;

/// <summary>A converged maximum-likelihood fit.</summary>
/// <param name="Model">The fitted model.</param>
/// <param name="LogLikelihood">Total log-likelihood at the optimum (not averaged).</param>
/// <param name="Iterations">Optimiser iterations used.</param>
/// <param name="Customers">Customers the model was fitted on.</param>
public sealed record ModelFit<TModel>(TModel Model, double LogLikelihood, int Iterations, int Customers);

/// <summary>Why a fit produced no parameters.</summary>
public enum ModelFitFailure
{
    /// <summary>Too few customers with repeat purchases to identify the parameters.</summary>
    TooFewRepeatBuyers,

    /// <summary>The optimiser stopped without reaching a maximum.</summary>
    NotConverged,
}

/// <summary>
/// Thrown instead of returning parameters that are not a maximum of the likelihood: numbers from a
/// failed optimisation look plausible and would silently feed wrong CLVs downstream.
/// </summary>
public sealed class ModelFitException : Exception
{
    public ModelFitException(ModelFitFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    /// <summary>The kind of failure, for callers that map it to an exit code or problem type.</summary>
    public ModelFitFailure Failure { get; }
}
