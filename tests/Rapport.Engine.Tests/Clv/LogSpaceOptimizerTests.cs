using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

public sealed class LogSpaceOptimizerTests
{
    [Fact]
    public void MinimizeWithGradient_Quadratic_FindsMinimum()
    {
        // Minimum at parameters (2, 0.5), i.e. log-parameters (ln 2, ln 0.5).
        var r = LogSpaceOptimizer.MinimizeWithGradient("test", ["p0", "p1"], (t, g) =>
        {
            double d0 = t[0] - Math.Log(2), d1 = t[1] - Math.Log(0.5);
            g[0] = 2 * d0;
            g[1] = 20 * d1;
            return d0 * d0 + 10 * d1 * d1;
        }, [1.0, 1.0]);

        Digits.Close(2, r.Parameters[0], 1e-6, "p0");
        Digits.Close(0.5, r.Parameters[1], 1e-6, "p1");
    }

    [Fact]
    public void MinimizeWithGradient_UnboundedObjective_ThrowsNotConverged()
    {
        // Decreases forever as the parameter grows: there is no maximum-likelihood point to report.
        var e = Assert.Throws<ModelFitException>(() => LogSpaceOptimizer.MinimizeWithGradient("test", ["p0"], (t, g) =>
        {
            g[0] = -1;
            return -t[0];
        }, [1.0]));

        Assert.Equal(ModelFitFailure.NotConverged, e.Failure);
        Assert.Contains("did not converge", e.Message);
        Assert.Contains("p0 = ", e.Message);
    }

    [Fact]
    public void MinimizeWithGradient_OptimumAtInfinity_ThrowsInsteadOfReportingEdgePoint()
    {
        // Flattens out as the parameter grows (like a, b -> infinity in a BG/NBD fit on thin data):
        // the gradient vanishes numerically, yet there is no maximum-likelihood estimate.
        var e = Assert.Throws<ModelFitException>(() => LogSpaceOptimizer.MinimizeWithGradient("test", ["a"], (t, g) =>
        {
            g[0] = -Math.Exp(-t[0]);
            return Math.Exp(-t[0]);
        }, [1.0]));

        Assert.Equal(ModelFitFailure.NotConverged, e.Failure);
        Assert.Contains("edge of the parameter space", e.Message);
    }

    [Fact]
    public void MinimizeWithoutGradient_NaNEverywhere_ThrowsNotConverged()
    {
        var e = Assert.Throws<ModelFitException>(
            () => LogSpaceOptimizer.MinimizeWithoutGradient("test", ["p0", "p1"], _ => double.NaN, [1.0, 1.0]));

        Assert.Equal(ModelFitFailure.NotConverged, e.Failure);
    }
}
