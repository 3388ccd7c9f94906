using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Rapport.Engine.Clv;

/// <summary>
/// Minimises a negative mean log-likelihood over positive parameters by working on their logs,
/// which removes the positivity bounds and evens out scales (alpha ~ 10 next to r ~ 0.2).
/// Either returns an interior point where the gradient vanishes or throws
/// <see cref="ModelFitException"/>: a likelihood that keeps improving as a parameter runs to 0 or
/// infinity has no maximum, and the point where the optimiser gave up is not an estimate.
/// </summary>
internal static class LogSpaceOptimizer
{
    /// <summary>Objective on log-parameters: returns the value and writes the gradient.</summary>
    public delegate double ValueAndGradient(double[] logParameters, double[] gradient);

    // On a per-customer mean NLL a gradient this small moves the total LL by far less than 0.01.
    private const double GradientTolerance = 1e-7;

    // What we still accept as "at the optimum" when verifying a result.
    private const double AcceptedGradient = 1e-5;

    // The search stays inside e^±20; beyond it gamma-function and power terms lose all precision
    // and can fake a better likelihood. Results must lie inside 1e-5..1e5 to count as estimates:
    // with weeks as the unit, real customer bases sit orders of magnitude inside (CDNOW: 0.24 to
    // 11.7), and values out there mean a parameter is running off (for example s, β → ∞ together
    // when the data show no heterogeneity in drop-out), where the ₂F₁ evaluations also get slow.
    private const double SearchBox = 20;
    private static readonly double AcceptedBox = Math.Log(1e5);

    private const int MaxIterations = 2_000;

    public sealed record Result(double[] Parameters, double Value, int Iterations);

    /// <summary>BFGS with an analytic gradient; if it stalls, Nelder-Mead from the best point seen, then BFGS again.</summary>
    public static Result MinimizeWithGradient(string model, string[] names, ValueAndGradient f, double[] start)
    {
        var point = Vector<double>.Build.Dense(start.Length, i => Math.Log(start[i]));
        var tracker = new Tracker(f, point);
        var objective = ObjectiveFunction.Gradient(tracker.Evaluate);
        var bfgs = new BfgsMinimizer(GradientTolerance, 1e-12, 1e-15, MaxIterations);
        Exception? failure = null;
        int iterations = 0;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var r = bfgs.FindMinimum(objective, point);
                iterations += r.Iterations;
                var (value, gradient) = tracker.Evaluate(r.MinimizingPoint);
                if (value < double.MaxValue && gradient.InfinityNorm() <= AcceptedGradient)
                {
                    return Accept(model, names, r.MinimizingPoint, value, iterations);
                }

                failure = null;
            }
            catch (Exception e) when (e is OptimizationException or ArithmeticException)
            {
                failure = e;
            }
            catch (EdgeReachedException)
            {
                break;
            }

            if (OutsideAccepted(tracker.Best))
            {
                // The best likelihood seen is already out where parameters are not estimates; a
                // simplex would only crawl further along the same ridge.
                break;
            }

            if (attempt == 0)
            {
                // BFGS stalled (often a line search on a flat ridge): let the simplex move us on.
                var simplex = NelderMead(v => tracker.Evaluate(v).Value, tracker.Best);
                if (simplex is null)
                {
                    break;
                }

                iterations += simplex.Iterations;
                point = simplex.MinimizingPoint;
            }
        }

        string why = OutsideAccepted(tracker.Best) ? Edge : failure?.Message ?? "the gradient did not vanish";
        throw NotConverged(model, why, tracker.Best, names);
    }

    /// <summary>
    /// For likelihoods without a practical analytic gradient (Pareto/NBD): the same search on
    /// central differences, which needs far fewer evaluations than a simplex alone.
    /// </summary>
    public static Result MinimizeWithoutGradient(string model, string[] names, Func<double[], double> f, double[] start) =>
        MinimizeWithGradient(model, names, (theta, gradient) =>
        {
            double value = f(theta);
            var probe = (double[])theta.Clone();
            for (int i = 0; i < theta.Length; i++)
            {
                // Step ~ cube root of machine epsilon balances truncation against rounding error.
                double h = 6e-6 * Math.Max(1, Math.Abs(theta[i]));
                probe[i] = theta[i] + h;
                double up = f(probe);
                probe[i] = theta[i] - h;
                double down = f(probe);
                probe[i] = theta[i];
                gradient[i] = (up - down) / (2 * h);
            }

            return value;
        }, start);

    private const string Edge = "the likelihood keeps improving towards the edge of the parameter space";

    private static bool OutsideAccepted(Vector<double> theta) => theta.Any(t => Math.Abs(t) > AcceptedBox);

    private static Result Accept(string model, string[] names, Vector<double> theta, double value, int iterations)
    {
        if (OutsideAccepted(theta))
        {
            throw NotConverged(model, Edge, theta, names);
        }

        return new Result(theta.Select(Math.Exp).ToArray(), value, iterations);
    }

    /// <summary>A bounded simplex run; null when it gives up (the tracker keeps the best point it saw).</summary>
    private static MinimizationResult? NelderMead(Func<Vector<double>, double> f, Vector<double> start)
    {
        try
        {
            return new NelderMeadSimplex(1e-14, 2_000).FindMinimum(ObjectiveFunction.Value(f), start);
        }
        catch (Exception e) when (e is OptimizationException or ArithmeticException or EdgeReachedException)
        {
            return null;
        }
    }

    private static ModelFitException NotConverged(string model, string why, Vector<double> theta, string[] names)
    {
        string at = names.Length == theta.Count
            ? $" Last point: {string.Join(", ", names.Select((n, i) => $"{n} = {Math.Exp(theta[i]):G3}"))}."
            : "";
        return new ModelFitException(
            ModelFitFailure.NotConverged,
            $"The {model} fit did not converge ({why.TrimEnd('.')}).{at} The data do not pin the parameters down: use more customers or a longer calibration period, or try the other model.");
    }

    /// <summary>Evaluates the objective, rejects the outside of the search box and remembers the best point.</summary>
    private sealed class Tracker(ValueAndGradient f, Vector<double> start)
    {
        private double _bestValue = double.MaxValue;

        public Vector<double> Best { get; private set; } = start;

        public (double Value, Vector<double> Gradient) Evaluate(Vector<double> v)
        {
            var gradient = new double[v.Count];
            double value = v.Any(t => Math.Abs(t) > SearchBox) ? double.NaN : f(v.ToArray(), gradient);
            if (!double.IsFinite(value) || gradient.Any(g => !double.IsFinite(g)))
            {
                // Outside the box or where the likelihood under/overflows: steer the search away.
                // double.MaxValue doubles as the "invalid" marker that the convergence checks reject.
                return (double.MaxValue, Vector<double>.Build.Dense(v.Count));
            }

            if (value < _bestValue)
            {
                _bestValue = value;
                Best = v.Clone();
                if (OutsideAccepted(v))
                {
                    // Stop at once: out there the ₂F₁ series get long and every step only confirms
                    // that the likelihood has no interior maximum.
                    throw new EdgeReachedException();
                }
            }

            return (value, Vector<double>.Build.Dense(gradient));
        }
    }
}

/// <summary>Raised inside the optimiser's callbacks to abandon a search that left the accepted box.</summary>
internal sealed class EdgeReachedException : Exception;
