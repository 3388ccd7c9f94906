using static Rapport.Engine.Clv.ClvMath;

namespace Rapport.Engine.Clv;

/// <summary>
/// Spend data prepared for repeated likelihood evaluations: ln m and ln x are fixed, and the
/// gamma-function terms depend on x only, so each evaluation costs one log per customer.
/// </summary>
internal sealed class GammaGammaData
{
    private readonly int[] _x;
    private readonly double[] _m;
    private readonly double[] _logM;
    private readonly double[] _logX;
    private readonly double[] _lgPxQ;
    private readonly double[] _lgPx;
    private readonly double[] _psiPxQ;
    private readonly double[] _psiPx;

    public GammaGammaData(int[] x, double[] meanValue)
    {
        _x = x;
        _m = meanValue;
        _logM = meanValue.Select(v => Math.Log(v)).ToArray();
        _logX = x.Select(v => Math.Log(v)).ToArray();
        int max = x.Max();
        _lgPxQ = new double[max + 1];
        _lgPx = new double[max + 1];
        _psiPxQ = new double[max + 1];
        _psiPx = new double[max + 1];
    }

    /// <summary>-LL / N and its gradient with respect to (ln p, ln q, ln γ).</summary>
    public double NegativeMeanLogLikelihood(double[] theta, double[] gradient)
    {
        double p = Math.Exp(theta[0]), q = Math.Exp(theta[1]), gamma = Math.Exp(theta[2]);
        for (int x = 1; x < _lgPx.Length; x++)
        {
            _lgPxQ[x] = GammaLn(p * x + q);
            _lgPx[x] = GammaLn(p * x);
            _psiPxQ[x] = Digamma(p * x + q);
            _psiPx[x] = Digamma(p * x);
        }

        double lgQ = GammaLn(q), psiQ = Digamma(q), logGamma = Math.Log(gamma);
        double ll = 0, gp = 0, gq = 0, gg = 0;
        for (int i = 0; i < _x.Length; i++)
        {
            int x = _x[i];
            double px = p * x, logDen = Math.Log(gamma + _m[i] * x);
            ll += _lgPxQ[x] - _lgPx[x] - lgQ + q * logGamma + (px - 1) * _logM[i] + px * _logX[i] - (px + q) * logDen;
            gp += x * (_psiPxQ[x] - _psiPx[x] + _logM[i] + _logX[i] - logDen);
            gq += _psiPxQ[x] - psiQ + logGamma - logDen;
            gg += q / gamma - (px + q) / (gamma + _m[i] * x);
        }

        double n = _x.Length;
        gradient[0] = -gp * p / n;
        gradient[1] = -gq * q / n;
        gradient[2] = -gg * gamma / n;
        return -ll / n;
    }
}
