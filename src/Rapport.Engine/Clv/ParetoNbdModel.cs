using static Rapport.Engine.Clv.ClvMath;

namespace Rapport.Engine.Clv;

/// <summary>
/// The Pareto/NBD model (Schmittlein, Morrison and Colombo 1987): while alive a customer buys as a
/// Poisson process with rate λ ~ Gamma(r, α) and dies after an exponential lifetime with rate
/// μ ~ Gamma(s, β). Likelihood as in Fader and Hardie (2005), "A note on deriving the Pareto/NBD
/// model and related expressions". Times in weeks.
/// </summary>
public sealed record ParetoNbdModel(double R, double Alpha, double S, double Beta) : IRepeatPurchaseModel
{
    /// <summary>Fewer repeat buyers than this cannot pin down four parameters.</summary>
    public const int MinimumRepeatBuyers = 10;

    /// <inheritdoc />
    public string Name => "Pareto/NBD";

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, double>> Parameters =>
        [new("r", R), new("alpha", Alpha), new("s", S), new("beta", Beta)];

    /// <summary>Fits by maximum likelihood; see <see cref="ParetoNbdFitter"/>.</summary>
    public static ModelFit<ParetoNbdModel> Fit(RepeatPurchaseData data) => ParetoNbdFitter.Fit(data);

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
    public double LogLikelihood(int x, double recency, double age)
    {
        double head = GammaLn(R + x) - GammaLn(R) + R * Math.Log(Alpha) + S * Math.Log(Beta);
        return head + LogBracket(x, recency, age, out _);
    }

    /// <inheritdoc />
    /// <remarks>rβ/(α(s-1)) · [1 - (β/(β+t))^(s-1)], written so that s = 1 is its limit, not 0/0.</remarks>
    public double ExpectedPurchases(double t)
    {
        double l = Math.Log((Beta + t) / Beta);
        return R * Beta / Alpha * l * ExpRel(-(S - 1) * l);
    }

    /// <inheritdoc />
    /// <remarks>(r+x)(β+T)/((α+T)(s-1)) · [1 - ((β+T)/(β+T+t))^(s-1)] · P(alive).</remarks>
    public double ConditionalExpectedPurchases(double t, int x, double recency, double age)
    {
        double l = Math.Log((Beta + age + t) / (Beta + age));
        double alive = ProbabilityAlive(x, recency, age);
        return (R + x) * (Beta + age) / (Alpha + age) * l * ExpRel(-(S - 1) * l) * alive;
    }

    /// <inheritdoc />
    public double ProbabilityAlive(int x, double recency, double age)
    {
        double bracket = LogBracket(x, recency, age, out double alive);
        return Math.Exp(alive - bracket);
    }

    /// <summary>
    /// ln[(α+T)^-(r+x) (β+T)^-s + s/(r+s+x) · A₀], the part of the likelihood after
    /// Γ(r+x)α^r β^s / Γ(r). The first term is "alive at T"; its log is returned in
    /// <paramref name="logAlive"/> because P(alive) is their ratio.
    /// </summary>
    internal double LogBracket(int x, double recency, double age, out double logAlive)
    {
        double rsx = R + S + x;
        logAlive = -(R + x) * Math.Log(Alpha + age) - S * Math.Log(Beta + age);
        double logA0 = LogA0(x, recency, age);
        return LogAddExp(logAlive, Math.Log(S) - Math.Log(rsx) + logA0);
    }

    /// <summary>
    /// ln A₀ per the Fader-Hardie note: the ₂F₁ is taken with z = |α-β|/(max(α,β)+t), choosing
    /// the parameter pair that keeps z in [0, 1); α = β gives z = 0 and ₂F₁ = 1.
    /// A₀ is a difference of the t_x and T terms, positive because it is an integral over (t_x, T].
    /// </summary>
    internal double LogA0(int x, double recency, double age)
    {
        double rsx = R + S + x;
        double big = Math.Max(Alpha, Beta), diff = Math.Abs(Alpha - Beta);
        double b = Alpha >= Beta ? S + 1 : R + x;
        double atRecency = LogHyp2F1APlusOne(rsx, b, diff / (big + recency)) - rsx * Math.Log(big + recency);
        double atAge = LogHyp2F1APlusOne(rsx, b, diff / (big + age)) - rsx * Math.Log(big + age);
        // Rounding can make the two equal or cross when t_x = T; the integral is then empty.
        return atAge >= atRecency ? double.NegativeInfinity : LogDiffExp(atRecency, atAge);
    }
}
