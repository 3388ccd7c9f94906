using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Rapport.Engine.Clv;

/// <summary>
/// Minimises a negative mean log-likelihood over positive parameters by working on their logs,
/// which removes the positivity bounds and evens out scales (alpha ~ 10 next to r ~ 0.2).
/// Either returns a point where the gradient vanishes or throws <see cref="ModelFitException"/>.
/// </summary>
internal static class LogSpaceOptimizer
{
    /// <summary>Objective on log-parameters: returns the value and writes the gradient.</summary>
    public delegate double ValueAndGradient(double[] logParameters, double[] gradient);

    // On a per-customer mean NLL a gradient this small moves the total LL by far less than 0.01.
    private const double GradientTolerance = 1e-7;

    // What we still accept as "at the optimum" when verifying a result.
    private const double AcceptedGradient = 1e-5;

    private const int MaxIterations = 2_000;

    public sealed record Result(double[] Parameters, double Value, int Iterations);

    /// <summary>BFGS with an analytic gradient; Nelder-Mead first when BFGS cannot start.</summary>
    public static Result MinimizeWithGradient(string model, ValueAndGradient f, double[] start)
    {
        var objective = ObjectiveFunction.Gradient(v => Evaluate(f, v));
        var bfgs = new BfgsMinimizer(GradientTolerance, 1e-12, 1e-15, MaxIterations);
        Exception? failure = null;
        Vector<double> point = Log(start);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var r = bfgs.FindMinimum(objective, point);
                var (value, gradient) = Evaluate(f, r.MinimizingPoint);
                if (value < double.MaxValue && gradient.InfinityNorm() <= AcceptedGradient)
                {
                    return new Result(Exp(r.MinimizingPoint), value, r.Iterations);
                }

                point = r.MinimizingPoint;
                failure = null;
            }
            catch (Exception e) when (e is OptimizationException or ArithmeticException)
            {
                failure = e;
            }

            // BFGS stalled (often a line search on a flat ridge): let the simplex move us, then retry.
            point = NelderMead(model, v => Evaluate(f, v).Value, point).MinimizingPoint;
        }

        throw NotConverged(model, failure);
    }

    /// <summary>
    /// For likelihoods without a practical analytic gradient (Pareto/NBD): BFGS on central
    /// differences, which needs far fewer evaluations than a simplex; if it cannot converge,
    /// Nelder-Mead restarted until it stops improving, then BFGS again from there.
    /// </summary>
    public static Result MinimizeWithoutGradient(string model, Func<double[], double> f, double[] start)
    {
        ValueAndGradient numeric = (theta, gradient) =>
        {
            CentralDifference(f, theta, gradient);
            return f(theta);
        };
        try
        {
            return MinimizeWithGradient(model, numeric, start);
        }
        catch (ModelFitException)
        {
            // Fall through to the slower, sturdier route.
        }

        Func<Vector<double>, double> value = v => Guard(f(v.ToArray()));
        var point = Log(start);
        double best = value(point);
        int iterations = 0;
        for (int restart = 0; restart < 20; restart++)
        {
            var r = NelderMead(model, value, point);
            iterations += r.Iterations;
            bool improved = r.FunctionInfoAtMinimum.Value < best - 1e-13;
            point = r.MinimizingPoint;
            best = r.FunctionInfoAtMinimum.Value;
            if (!improved)
            {
                break;
            }
        }

        try
        {
            var polished = MinimizeWithGradient(model, numeric, Exp(point));
            return polished with { Iterations = polished.Iterations + iterations };
        }
        catch (ModelFitException)
        {
            // The polish can trip over finite-difference noise; the simplex point stands if it is flat.
            var gradient = new double[start.Length];
            CentralDifference(f, point.ToArray(), gradient);
            if (best < double.MaxValue && gradient.All(g => Math.Abs(g) <= AcceptedGradient * 10))
            {
                return new Result(Exp(point), best, iterations);
            }

            throw;
        }
    }

    private static MinimizationResult NelderMead(string model, Func<Vector<double>, double> f, Vector<double> start)
    {
        try
        {
            return new NelderMeadSimplex(1e-14, 20_000).FindMinimum(ObjectiveFunction.Value(f), start);
        }
        catch (Exception e) when (e is OptimizationException or ArithmeticException)
        {
            throw NotConverged(model, e);
        }
    }

    private static (double Value, Vector<double> Gradient) Evaluate(ValueAndGradient f, Vector<double> v)
    {
        var gradient = new double[v.Count];
        double value = f(v.ToArray(), gradient);
        if (!double.IsFinite(value) || gradient.Any(g => !double.IsFinite(g)))
        {
            // Out in a region where the likelihood under/overflows: steer the search away from it.
            // double.MaxValue doubles as the "invalid" marker that the convergence checks reject.
            return (double.MaxValue, Vector<double>.Build.Dense(v.Count));
        }

        return (value, Vector<double>.Build.Dense(gradient));
    }

    private static void CentralDifference(Func<double[], double> f, double[] theta, double[] gradient)
    {
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
    }

    private static double Guard(double value) => double.IsFinite(value) ? value : double.MaxValue;

    private static Vector<double> Log(double[] p) => Vector<double>.Build.Dense(p.Length, i => Math.Log(p[i]));

    private static double[] Exp(Vector<double> v) => v.Select(Math.Exp).ToArray();

    private static ModelFitException NotConverged(string model, Exception? inner) =>
        new(ModelFitFailure.NotConverged,
            $"The {model} fit did not converge{(inner is null ? "" : $" ({inner.Message})")}: the likelihood has no clear maximum for this data. Try a longer calibration period or more customers.",
            inner);
}
