using static Rapport.Engine.Clv.ClvMath;

namespace Rapport.Engine.Clv;

/// <summary>
/// The BG/NBD model (Fader, Hardie and Lee 2005, "Counting your customers the easy way"): while
/// alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they
/// drop out with probability p ~ Beta(a, b). Times in weeks.
/// </summary>
public sealed record BgNbdModel(double R, double Alpha, double A, double B) : IRepeatPurchaseModel
{
    /// <inheritdoc />
    public string Name => "BG/NBD";

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, double>> Parameters =>
        [new("r", R), new("alpha", Alpha), new("a", A), new("b", B)];

    /// <summary>Fits by maximum likelihood; see <see cref="BgNbdFitter"/>.</summary>
    public static ModelFit<BgNbdModel> Fit(RepeatPurchaseData data) => BgNbdFitter.Fit(data);

    /// <summary>Total log-likelihood of compressed data.</summary>
    public double LogLikelihood(RepeatPurchaseData data)
    {
        double ll = 0;
        for (int i = 0; i < data.GroupCount; i++)
        {
            ll += data.Count[i] * LogLikelihood(data.Frequency[i], data.Recency[i], data.Age[i]);
        }

        return ll;
    }

    /// <inheritdoc />
    /// <remarks>FHL (2005) eq. 6 in logs: the sum of the "still alive at T" and "dropped out right
    /// after the last purchase" terms is taken with log-add-exp so neither underflows.</remarks>
    public double LogLikelihood(int x, double recency, double age)
    {
        double lnBab = BetaLn(A, B);
        double a0 = GammaLn(R + x) - GammaLn(R) + R * Math.Log(Alpha);
        double a1 = BetaLn(A, B + x) - lnBab - (R + x) * Math.Log(Alpha + age);
        if (x == 0)
        {
            return a0 + a1;
        }

        double a2 = BetaLn(A + 1, B + x - 1) - lnBab - (R + x) * Math.Log(Alpha + recency);
        return a0 + LogAddExp(a1, a2);
    }

    /// <inheritdoc />
    /// <remarks>FHL (2005) eq. 7: (a+b-1)/(a-1) · [1 - (α/(α+t))^r ₂F₁(r, b; a+b-1; t/(α+t))].</remarks>
    public double ExpectedPurchases(double t) => (A + B - 1) * Growth(t / (Alpha + t), 0);

    /// <inheritdoc />
    /// <remarks>FHL (2005) eq. 10.</remarks>
    public double ConditionalExpectedPurchases(double t, int x, double recency, double age)
    {
        double numerator = (A + B + x - 1) * Growth(t / (Alpha + age + t), x);
        return numerator * ProbabilityAlive(x, recency, age);
    }

    /// <inheritdoc />
    /// <remarks>1 / (1 + δ(x&gt;0) · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)), with the odds kept in logs.</remarks>
    public double ProbabilityAlive(int x, double recency, double age)
    {
        if (x == 0)
        {
            return 1.0;
        }

        double logOdds = Math.Log(A) - Math.Log(B + x - 1)
            + (R + x) * (Math.Log(Alpha + age) - Math.Log(Alpha + recency));
        return 1.0 / (1.0 + Math.Exp(logOdds));
    }

    /// <summary>
    /// [1 - (1-z)^(r+x) ₂F₁(r+x, b+x; a+b+x-1; z)] / (a-1), the bracket shared by eqs. 7 and 10.
    /// Euler's transformation turns it into [1 - (1-z)^(a-1) ₂F₁(a+b-1-r, a-1; a+b+x-1; z)] / (a-1),
    /// a series with small parameters (the direct one grows like (1-z)^-(r+x) and overflows for
    /// heavy buyers); the (a-1) factor of every term is divided out analytically so a = 1 is not 0/0.
    /// </summary>
    private double Growth(double z, int x)
    {
        double logOneMinusZ = Log1P(-z);
        double first = A + B - 1 - R, c = A + B + x - 1;
        // Σ_{n≥1} (first)_n (a)_(n-1) / ((c)_n n!) z^n, i.e. the series minus 1, divided by (a - 1).
        double term = first / c * z, sum = term;
        for (int n = 1; n < 2_000_000 && term != 0; n++)
        {
            double ratio = (first + n) * (A + n - 1) / ((c + n) * (n + 1)) * z;
            term *= ratio;
            sum += term;
            double rho = Math.Max(Math.Abs(ratio), z);
            if (rho < 1 && Math.Abs(term) * rho < 1e-16 * Math.Abs(sum) * (1 - rho))
            {
                break;
            }
        }

        double power = Math.Exp((A - 1) * logOneMinusZ);
        return -logOneMinusZ * ExpRel((A - 1) * logOneMinusZ) - power * sum;
    }
}
