namespace Rapport.Engine.Clv;

/// <summary>
/// A fitted "buy till you die" model of repeat purchasing (BG/NBD, Pareto/NBD). Times are in
/// weeks; x, t_x and T are as in <see cref="CustomerSummary"/>. This is the seam that lets the CLV
/// and holdout code work with either model.
/// </summary>
public interface IRepeatPurchaseModel
{
    /// <summary>Short model name for reports, e.g. "BG/NBD".</summary>
    string Name { get; }

    /// <summary>Named parameters in the order the literature lists them.</summary>
    IReadOnlyList<KeyValuePair<string, double>> Parameters { get; }

    /// <summary>Log-likelihood of one customer's (x, t_x, T).</summary>
    double LogLikelihood(int x, double recency, double age);

    /// <summary>E[X(t)]: expected repeat purchases of a new customer in the first t weeks.</summary>
    double ExpectedPurchases(double t);

    /// <summary>E[Y(t) | x, t_x, T]: expected purchases in the next t weeks after the calibration end.</summary>
    double ConditionalExpectedPurchases(double t, int x, double recency, double age);

    /// <summary>P(alive | x, t_x, T) at the calibration end.</summary>
    double ProbabilityAlive(int x, double recency, double age);
}
