using MathNet.Numerics.Distributions;
using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

/// <summary>
/// Small, noisy customer bases: many have no interior maximum (a parameter runs to 0 or infinity).
/// Every fit must either return finite estimates inside the accepted range or throw
/// <see cref="ModelFitException"/>, never other exceptions, NaN or edge-of-the-world numbers, and fast.
/// </summary>
public sealed class ClvFitRobustnessTests
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Fit_SmallRandomCustomerBase_ReturnsEstimateOrThrowsModelFitException(int seed)
    {
        var data = RandomCustomerBase(seed);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        AssertEstimateOrFitException(() => BgNbdModel.Fit(data).Model.Parameters);
        AssertEstimateOrFitException(() => ParetoNbdFitter.Fit(data).Model.Parameters);
        AssertEstimateOrFitException(() => GammaGammaModel.Fit(data.Frequency, RandomSpend(seed, data.Frequency)).Model.Parameters);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    private static void AssertEstimateOrFitException(Func<IReadOnlyList<KeyValuePair<string, double>>> fit)
    {
        try
        {
            foreach (var (name, value) in fit())
            {
                Assert.True(value is >= 1e-5 and <= 1e5, $"{name} = {value}");
            }
        }
        catch (ModelFitException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    /// <summary>Mean spend per customer from a Gamma-Gamma with random parameters.</summary>
    private static double[] RandomSpend(int seed, int[] frequency)
    {
        var rnd = new Random(-seed);
        double p = Math.Exp(rnd.NextDouble() * 4 - 1), q = Math.Exp(rnd.NextDouble() * 3 - 0.5), gamma = Math.Exp(rnd.NextDouble() * 5);
        return frequency.Select(x =>
        {
            double nu = Gamma.Sample(rnd, q, gamma);
            return x == 0 ? 0 : Enumerable.Range(0, x).Average(_ => Gamma.Sample(rnd, p, nu));
        }).ToArray();
    }

    /// <summary>30 to 330 customers from a BG/NBD with random parameters, times on a daily grid.</summary>
    private static RepeatPurchaseData RandomCustomerBase(int seed)
    {
        var rnd = new Random(seed);
        int n = 30 + rnd.Next(300);
        double r = Math.Exp(rnd.NextDouble() * 4 - 2), alpha = Math.Exp(rnd.NextDouble() * 6 - 2);
        double a = Math.Exp(rnd.NextDouble() * 4 - 2), b = Math.Exp(rnd.NextDouble() * 4 - 2);
        var x = new int[n];
        var tx = new double[n];
        var age = new double[n];
        for (int i = 0; i < n; i++)
        {
            age[i] = Math.Round((1 + rnd.NextDouble() * 50) * 7) / 7;
            double lambda = Gamma.Sample(rnd, r, alpha), p = Beta.Sample(rnd, a, b), t = 0;
            while (true)
            {
                t += Exponential.Sample(rnd, lambda);
                if (t > age[i])
                {
                    break;
                }

                x[i]++;
                tx[i] = Math.Floor(t * 7) / 7;
                if (rnd.NextDouble() < p)
                {
                    break;
                }
            }
        }

        return RepeatPurchaseData.From(x, tx, age);
    }
}
