using static Rapport.Engine.Clv.ClvMath;

namespace Rapport.Engine.Clv;

/// <summary>
/// Maximum-likelihood fit of <see cref="BgNbdModel"/> with an analytic gradient. Every term that
/// depends on x only (the gamma and beta functions and their digammas) is computed once per
/// distinct x per evaluation, leaving two logs and one exp per (x, t_x, T) group.
/// </summary>
public static class BgNbdFitter
{
    /// <summary>Fewer repeat buyers than this cannot pin down four parameters.</summary>
    public const int MinimumRepeatBuyers = 10;

    /// <summary>Fits r, α, a, b; throws <see cref="ModelFitException"/> when there is no maximum.</summary>
    public static ModelFit<BgNbdModel> Fit(RepeatPurchaseData data)
    {
        if (data.RepeatBuyerCount < MinimumRepeatBuyers)
        {
            throw new ModelFitException(
                ModelFitFailure.TooFewRepeatBuyers,
                $"Only {data.RepeatBuyerCount} of {data.CustomerCount} customers bought again in the calibration period; the BG/NBD fit needs at least {MinimumRepeatBuyers}. Move the calibration end later or add customers.");
        }

        var cache = new PerFrequency(data.MaxFrequency);
        var result = LogSpaceOptimizer.MinimizeWithGradient(
            "BG/NBD",
            ["r", "alpha", "a", "b"],
            (theta, gradient) => NegativeMeanLogLikelihood(data, cache, theta, gradient),
            [1.0, MeanAge(data), 1.0, 1.0]);
        var p = result.Parameters;
        return new ModelFit<BgNbdModel>(
            new BgNbdModel(p[0], p[1], p[2], p[3]), -result.Value * data.CustomerCount, result.Iterations, data.CustomerCount);
    }

    /// <summary>-LL / N and its gradient with respect to (ln r, ln α, ln a, ln b).</summary>
    internal static double NegativeMeanLogLikelihood(
        RepeatPurchaseData data, PerFrequency cache, double[] theta, double[] gradient)
    {
        double r = Math.Exp(theta[0]), alpha = Math.Exp(theta[1]);
        double a = Math.Exp(theta[2]), b = Math.Exp(theta[3]);
        cache.Fill(r, a, b);
        double logAlpha = Math.Log(alpha);
        double ll = 0, gr = 0, gAlpha = 0, ga = 0, gb = 0;
        int[] xs = data.Frequency;
        double[] tx = data.Recency, age = data.Age, count = data.Count;
        for (int i = 0; i < xs.Length; i++)
        {
            int x = xs[i];
            double w = count[i], rx = r + x;
            double logAT = Math.Log(alpha + age[i]);
            double a1 = cache.C1[x] - rx * logAT;
            double term = cache.D0[x] + r * logAlpha;
            double dr = cache.DD0[x] + logAlpha, dAlpha = r / alpha;
            if (x == 0)
            {
                ll += w * (term + a1);
                gr += w * (dr - logAT);
                gAlpha += w * (dAlpha - rx / (alpha + age[i]));
                ga += w * cache.Da1[x];
                gb += w * cache.Db1[x];
                continue;
            }

            double logAtx = Math.Log(alpha + tx[i]);
            double a2 = cache.C2[x] - rx * logAtx;
            // Softmax weights of the two likelihood branches, from one exp.
            double d = a2 - a1, lse, w1, w2;
            if (d <= 0)
            {
                double e = Math.Exp(d);
                lse = a1 + Log1P(e);
                w2 = e / (1 + e);
                w1 = 1 - w2;
            }
            else
            {
                double e = Math.Exp(-d);
                lse = a2 + Log1P(e);
                w1 = e / (1 + e);
                w2 = 1 - w1;
            }

            ll += w * (term + lse);
            gr += w * (dr - w1 * logAT - w2 * logAtx);
            gAlpha += w * (dAlpha - rx * (w1 / (alpha + age[i]) + w2 / (alpha + tx[i])));
            ga += w * (w1 * cache.Da1[x] + w2 * cache.Da2[x]);
            gb += w * (w1 * cache.Db1[x] + w2 * cache.Db2[x]);
        }

        double n = data.CustomerCount;
        // Chain rule to log-parameters: d/d(ln θ) = θ · d/dθ; negated because we minimise.
        gradient[0] = -gr * r / n;
        gradient[1] = -gAlpha * alpha / n;
        gradient[2] = -ga * a / n;
        gradient[3] = -gb * b / n;
        return -ll / n;
    }

    private static double MeanAge(RepeatPurchaseData data)
    {
        double sum = 0;
        for (int i = 0; i < data.GroupCount; i++)
        {
            sum += data.Count[i] * data.Age[i];
        }

        return Math.Max(sum / data.CustomerCount, 1e-3);
    }

    /// <summary>Terms of the log-likelihood and its gradient that depend only on x.</summary>
    internal sealed class PerFrequency(int maxX)
    {
        public double[] D0 { get; } = new double[maxX + 1];   // ln Γ(r+x) - ln Γ(r)
        public double[] DD0 { get; } = new double[maxX + 1];  // ψ(r+x) - ψ(r)
        public double[] C1 { get; } = new double[maxX + 1];   // ln B(a, b+x) - ln B(a, b)
        public double[] Da1 { get; } = new double[maxX + 1];
        public double[] Db1 { get; } = new double[maxX + 1];
        public double[] C2 { get; } = new double[maxX + 1];   // ln B(a+1, b+x-1) - ln B(a, b)
        public double[] Da2 { get; } = new double[maxX + 1];
        public double[] Db2 { get; } = new double[maxX + 1];

        public void Fill(double r, double a, double b)
        {
            double lgR = GammaLn(r), psiR = Digamma(r);
            double lgB = GammaLn(b), psiB = Digamma(b);
            double lgAB = GammaLn(a + b), psiAB = Digamma(a + b);
            double logA = Math.Log(a);
            for (int x = 0; x < D0.Length; x++)
            {
                double lgABx = GammaLn(a + b + x), psiABx = Digamma(a + b + x);
                D0[x] = GammaLn(r + x) - lgR;
                DD0[x] = Digamma(r + x) - psiR;
                C1[x] = GammaLn(b + x) - lgABx - lgB + lgAB;
                Da1[x] = psiAB - psiABx;
                Db1[x] = Digamma(b + x) - psiABx - psiB + psiAB;
                if (x > 0)
                {
                    C2[x] = logA + GammaLn(b + x - 1) - lgABx - lgB + lgAB;
                    Da2[x] = 1 / a - psiABx + psiAB;
                    Db2[x] = Digamma(b + x - 1) - psiABx - psiB + psiAB;
                }
            }
        }
    }
}
