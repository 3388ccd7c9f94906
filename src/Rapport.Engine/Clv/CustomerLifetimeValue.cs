namespace Rapport.Engine.Clv;

/// <summary>How far ahead and how to discount.</summary>
/// <param name="HorizonWeeks">Weeks after the calibration end to count purchases over.</param>
/// <param name="AnnualDiscountRate">Yearly rate, e.g. 0.10; a purchase k weeks ahead is worth (1+rate)^(-k/52.18).</param>
/// <param name="Margin">Share of spend that is profit; 1 gives revenue lifetime value.</param>
public sealed record ClvOptions(int HorizonWeeks, double AnnualDiscountRate, double Margin = 1.0);

/// <summary>One customer's predicted value.</summary>
/// <param name="ExpectedPurchases">E[Y(horizon) | x, t_x, T], undiscounted.</param>
/// <param name="ProbabilityAlive">P(alive) at the calibration end.</param>
/// <param name="ExpectedSpend">Gamma-Gamma expected value per transaction.</param>
/// <param name="Clv">Discounted margin over the horizon.</param>
public sealed record CustomerValue(
    string CustomerId, double ExpectedPurchases, double ProbabilityAlive, double ExpectedSpend, double Clv);

/// <summary>
/// Predicted customer lifetime value over a finite horizon:
/// CLV = margin · E[M] · Σ_{k=1..H} (E[Y(k)] - E[Y(k-1)]) / (1+d)^(k/W),
/// where E[Y(k)] is the model's conditional expected purchases in the first k weeks after the
/// calibration end, E[M] the Gamma-Gamma expected spend per purchase, d the annual discount rate
/// and W = 365.25/7 weeks a year. Each week's purchases are discounted to the end of that week.
/// Spend and purchase count are treated as independent, which is the assumption FHL (2005) test
/// and accept for CDNOW.
/// </summary>
public static class CustomerLifetimeValue
{
    /// <summary>Weeks in an average year, for converting the annual discount rate.</summary>
    public const double WeeksPerYear = 365.25 / 7;

    /// <summary>Scores every customer; customers sharing (x, t_x, T) share the purchase forecast.</summary>
    public static CustomerValue[] Score(
        IRepeatPurchaseModel model, GammaGammaModel spend, ReadOnlySpan<CustomerSummary> customers, ClvOptions options)
    {
        Validate(spend, options);
        // The forecast needs H conditional expectations; caching by triple pays off because real
        // customer bases repeat (x, t_x, T) a lot (CDNOW: 2,357 customers, about 1,000 triples).
        var cache = new Dictionary<(int, double, double), (double Purchases, double Discounted, double Alive)>();
        var result = new CustomerValue[customers.Length];
        for (int i = 0; i < customers.Length; i++)
        {
            var c = customers[i];
            var key = (c.Frequency, c.Recency, c.Age);
            if (!cache.TryGetValue(key, out var f))
            {
                f = Forecast(model, options, c.Frequency, c.Recency, c.Age);
                cache.Add(key, f);
            }

            double m = spend.ConditionalExpectedSpend(c.Frequency, c.MeanRepeatValue);
            result[i] = new CustomerValue(c.CustomerId, f.Purchases, f.Alive, m, options.Margin * m * f.Discounted);
        }

        return result;
    }

    /// <summary>Σ_{k=1..H} (E[Y(k)] - E[Y(k-1)]) · (1+d)^(-k/W) for one customer.</summary>
    public static double DiscountedPurchases(
        IRepeatPurchaseModel model, ClvOptions options, int x, double recency, double age) =>
        Forecast(model, options, x, recency, age).Discounted;

    private static (double Purchases, double Discounted, double Alive) Forecast(
        IRepeatPurchaseModel model, ClvOptions options, int x, double recency, double age)
    {
        double weeklyLog = Math.Log(1 + options.AnnualDiscountRate) / WeeksPerYear;
        double previous = 0, discounted = 0;
        for (int k = 1; k <= options.HorizonWeeks; k++)
        {
            double cumulative = model.ConditionalExpectedPurchases(k, x, recency, age);
            discounted += (cumulative - previous) * Math.Exp(-weeklyLog * k);
            previous = cumulative;
        }

        return (previous, discounted, model.ProbabilityAlive(x, recency, age));
    }

    private static void Validate(GammaGammaModel spend, ClvOptions options)
    {
        if (options.HorizonWeeks < 1)
        {
            throw new ArgumentException($"The horizon must be at least one week (got {options.HorizonWeeks}).", nameof(options));
        }

        if (!(options.AnnualDiscountRate > -1) || !double.IsFinite(options.AnnualDiscountRate))
        {
            throw new ArgumentException($"The annual discount rate must be above -1 (got {options.AnnualDiscountRate}); use 0.1 for 10%.", nameof(options));
        }

        if (!double.IsFinite(options.Margin))
        {
            throw new ArgumentException("The margin must be a finite number such as 0.3.", nameof(options));
        }

        if (spend.Q <= 1)
        {
            throw new ArgumentException(
                $"The Gamma-Gamma fit has q = {spend.Q:G4} <= 1, so the population mean spend is infinite and customers without repeat purchases cannot be valued. Check the amounts for extreme outliers.",
                nameof(spend));
        }
    }
}
