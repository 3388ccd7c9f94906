using MathNet.Numerics;

namespace Rapport.Engine.Clv;

/// <summary>Log-space helpers shared by the CLV models.</summary>
internal static class ClvMath
{
    // Series stop when the bound on the remaining tail is below this share of the sum.
    private const double SeriesTolerance = 1e-16;

    // A cap, not an expected count: a parameter region that needs more is reported as NaN, which
    // the optimiser treats as "not here" instead of spinning on it.
    private const int MaxSeriesTerms = 50_000;

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
    /// ln ₂F₁(a, b; a + 1; z) for a, b &gt; 0, b &lt; a + 1 and 0 &lt;= z &lt; 1, the form the Pareto/NBD
    /// likelihood needs. Euler's transformation ₂F₁(a, b; c; z) = (1 - z)^(c-a-b) ₂F₁(c-a, c-b; c; z)
    /// with c = a + 1 leaves (1 - z)^(1-b) ₂F₁(1, a+1-b; a+1; z), whose terms are positive with
    /// ratios below z; the direct series first grows like (1 - z)^(-b) and overflows for heavy
    /// buyers (b = r + x in the hundreds).
    /// </summary>
    public static double LogHyp2F1APlusOne(double a, double b, double z)
    {
        // Pareto/NBD calls it with b = s + 1 or r + x and a = r + s + x, so b < a + 1 always holds.
        if (!(b < a + 1))
        {
            throw new ArgumentOutOfRangeException(nameof(b), b, "Needs b < a + 1 for the positive-term series.");
        }

        double reduced = z < 0.5 ? OneBSeries(a + 1 - b, a + 1, z) : OneBContinuedFraction(a + 1 - b, a + 1, z);
        return (1 - b) * Log1P(-z) + Math.Log(reduced);
    }

    /// <summary>₂F₁(1, b; c; z) = Σ (b)_n / (c)_n z^n for 0 &lt; b &lt; c; converges like z^n.</summary>
    private static double OneBSeries(double b, double c, double z)
    {
        double sum = 1, term = 1;
        for (int n = 0; n < MaxSeriesTerms; n++)
        {
            term *= (b + n) / (c + n) * z;
            sum += term;
            // Later ratios are below z, so the tail is at most term * z / (1 - z).
            if (term * z <= SeriesTolerance * sum * (1 - z))
            {
                return sum;
            }
        }

        return double.NaN;
    }

    /// <summary>
    /// ₂F₁(1, b; c; z) by Gauss's continued fraction (the b = 0 case of
    /// F(a, b+1; c+1) / F(a, b; c)), evaluated with the modified Lentz method. Near z = 1 it needs
    /// about 1/sqrt(1 - z) steps where the series needs 1/(1 - z): 1.4k instead of 264k at
    /// z = 0.9999, which is where the optimiser goes when one of α, β runs away.
    /// </summary>
    private static double OneBContinuedFraction(double b, double c, double z)
    {
        // 1 / (1 - k1 z / (1 - k2 z / (1 - ...))) with, writing c' = c - 1,
        // k(2i+1) = (b+i)(c'+i) / ((c'+2i)(c'+2i+1)), k(2i+2) = (i+1)(c'-b+i+1) / ((c'+2i+1)(c'+2i+2)).
        const double Tiny = 1e-300;
        double cp = c - 1, f = 1, front = 1, back = 0;
        for (int n = 1; n < MaxSeriesTerms; n++)
        {
            int i = (n - 1) / 2;
            double k = (n & 1) == 1
                ? (b + i) * (cp + i) / ((cp + 2 * i) * (cp + 2 * i + 1))
                : (i + 1) * (cp - b + i + 1) / ((cp + 2 * i + 1) * (cp + 2 * i + 2));
            double an = -k * z;
            back = 1 + an * back;
            back = 1 / (Math.Abs(back) < Tiny ? Tiny : back);
            front = 1 + an / front;
            front = Math.Abs(front) < Tiny ? Tiny : front;
            double delta = front * back;
            f *= delta;
            if (Math.Abs(delta - 1) <= SeriesTolerance)
            {
                return 1 / f;
            }
        }

        return double.NaN;
    }

    /// <summary>
    /// ₂F₁(a, b; c; z) by its plain power series for 0 &lt;= z &lt; 1: an independent reference the
    /// tests check the transformed evaluations against. Not for production use, where its terms
    /// can grow like (1 - z)^-(a+b-c) before they shrink.
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
