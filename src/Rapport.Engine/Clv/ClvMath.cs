using MathNet.Numerics;

namespace Rapport.Engine.Clv;

/// <summary>Log-space helpers shared by the CLV models.</summary>
internal static class ClvMath
{
    // Series stop when the bound on the remaining tail is below this share of the sum.
    private const double SeriesTolerance = 1e-16;

    // A cap, not an expected count: ratios are below z < 1, so even z = 0.999 needs about 40k terms.
    private const int MaxSeriesTerms = 2_000_000;

    public static double GammaLn(double x) => SpecialFunctions.GammaLn(x);

    public static double Digamma(double x) => SpecialFunctions.DiGamma(x);

    /// <summary>ln B(a, b).</summary>
    public static double BetaLn(double a, double b) => GammaLn(a) + GammaLn(b) - GammaLn(a + b);

    /// <summary>ln(e^a + e^b) without overflow; -inf inputs are fine.</summary>
    public static double LogAddExp(double a, double b)
    {
        double max = Math.Max(a, b);
        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>ln(e^a - e^b) for a &gt;= b; returns -inf when they are equal.</summary>
    public static double LogDiffExp(double a, double b)
    {
        if (b > a)
        {
            return double.NaN;
        }

        return a == b ? double.NegativeInfinity : a + Math.Log(-ExpM1(b - a));
    }

    /// <summary>ln(1 + x), accurate for tiny x (.NET's double.LogP1 is plain Log(1 + x)).</summary>
    public static double Log1P(double x)
    {
        // Kahan's trick: the rounding error of 1 + x cancels in the ratio.
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x - 1, accurate for tiny x (.NET's double.ExpM1 is plain Exp(x) - 1).</summary>
    public static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1 || double.IsPositiveInfinity(u))
        {
            return u == 1 ? x : u;
        }

        double um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }

    /// <summary>(e^x - 1) / x, equal to 1 at x = 0; divides out a factor that would give 0/0.</summary>
    public static double ExpRel(double x) => Math.Abs(x) < 1e-300 ? 1 : ExpM1(x) / x;

    /// <summary>
    /// ln ₂F₁(a, b; a + 1; z) for a, b &gt; 0, b &lt; a + 1 and 0 &lt;= z &lt; 1, the form the Pareto/NBD likelihood needs.
    /// Uses Euler's transformation ₂F₁(a, b; c; z) = (1 - z)^(c-a-b) ₂F₁(c-a, c-b; c; z), which with
    /// c = a + 1 leaves a series of positive terms whose ratios stay below z. The direct series
    /// grows like (1 - z)^(-b) first and overflows for heavy buyers (b = r + x in the hundreds).
    /// </summary>
    public static double LogHyp2F1APlusOne(double a, double b, double z)
    {
        // Pareto/NBD calls it with b = s + 1 or r + x and a = r + s + x, so b < a + 1 always holds.
        if (!(b < a + 1))
        {
            throw new ArgumentOutOfRangeException(nameof(b), b, "Needs b < a + 1 for the positive-term series.");
        }

        if (z == 0)
        {
            return 0;
        }

        double c = a + 1, top = c - b;
        double sum = 1, term = 1;
        for (int n = 0; n < MaxSeriesTerms; n++)
        {
            term *= (top + n) / (c + n) * z;
            sum += term;
            // Later ratios are below z, so the tail is at most term * z / (1 - z).
            if (term * z < SeriesTolerance * sum * (1 - z))
            {
                return (1 - b) * Log1P(-z) + Math.Log(sum);
            }
        }

        return double.NaN;
    }

    /// <summary>
    /// ₂F₁(a, b; c; z) by its power series for 0 &lt;= z &lt; 1. Meant for the small, Euler-transformed
    /// parameters of the BG/NBD expectations, where the terms do not blow up.
    /// </summary>
    public static double Hyp2F1(double a, double b, double c, double z)
    {
        double sum = 1, term = 1;
        for (int n = 0; n < MaxSeriesTerms; n++)
        {
            double ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            term *= ratio;
            sum += term;
            if (term == 0)
            {
                return sum;
            }

            // Ratios tend to z monotonically for large n, so the later ones stay below
            // rho = max(|ratio|, z) and the tail is at most |term| * rho / (1 - rho).
            double rho = Math.Max(Math.Abs(ratio), z);
            if (rho < 1 && Math.Abs(term) * rho < SeriesTolerance * Math.Abs(sum) * (1 - rho))
            {
                return sum;
            }
        }

        return double.NaN;
    }
}
