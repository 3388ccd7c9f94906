using MathNet.Numerics.Distributions;

namespace Rapport.Engine.Clv;

/// <summary>
/// Draws a synthetic transaction log from the BG/NBD generative process with Gamma-Gamma spend.
/// Used for parameter-recovery tests and for benchmarks at sizes no public dataset has.
/// </summary>
public static class BgNbdSimulator
{
    /// <summary>
    /// Simulates <paramref name="customers"/> customers whose first purchase falls uniformly in the
    /// <paramref name="acquisitionDays"/> days from <paramref name="start"/>, observed up to and
    /// including <paramref name="end"/>. Each customer: λ ~ Gamma(r, α), p ~ Beta(a, b); purchases
    /// follow a Poisson(λ) process in weeks; after each repeat purchase they leave with probability
    /// p. Each transaction value is Gamma(p_s, ν) with ν ~ Gamma(q, γ). Deterministic for a seeded
    /// <paramref name="random"/>.
    /// </summary>
    public static List<Transaction> Simulate(
        BgNbdModel model, GammaGammaModel spend, int customers, DateOnly start, int acquisitionDays, DateOnly end, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(customers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(acquisitionDays);
        var log = new List<Transaction>(customers * 3);
        int lastDay = end.DayNumber;
        for (int i = 0; i < customers; i++)
        {
            string id = "c" + i.ToString("D7");
            int firstDay = start.DayNumber + random.Next(acquisitionDays);
            if (firstDay > lastDay)
            {
                continue;
            }

            double lambda = Gamma.Sample(random, model.R, model.Alpha);
            double dropout = Beta.Sample(random, model.A, model.B);
            double nu = Gamma.Sample(random, spend.Q, spend.Gamma);
            log.Add(new Transaction(id, DateOnly.FromDayNumber(firstDay), Amount(random, spend.P, nu)));
            double weeks = 0;
            while (true)
            {
                weeks += Exponential.Sample(random, lambda);
                double day = firstDay + Math.Floor(weeks * CustomerSummaries.DaysPerWeek);
                if (!(day <= lastDay))
                {
                    break;
                }

                log.Add(new Transaction(id, DateOnly.FromDayNumber((int)day), Amount(random, spend.P, nu)));
                if (random.NextDouble() < dropout)
                {
                    break;
                }
            }
        }

        return log;
    }

    private static decimal Amount(Random random, double shape, double rate) =>
        Math.Round((decimal)Gamma.Sample(random, shape, rate), 2);
}
