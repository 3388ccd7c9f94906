namespace Rapport.Engine.Clv;

/// <summary>
/// Frequency/recency/age data compressed to distinct (x, t_x, T) triples with a customer count
/// each. Customers with identical statistics contribute identical likelihood terms, and real data
/// has far fewer distinct triples than customers (days are discrete, x is small), so every
/// likelihood evaluation costs per triple instead of per customer.
/// </summary>
public sealed class RepeatPurchaseData
{
    private RepeatPurchaseData(int[] x, double[] tx, double[] age, double[] count, int customers)
    {
        Frequency = x;
        Recency = tx;
        Age = age;
        Count = count;
        CustomerCount = customers;
        int max = 0, repeat = 0;
        for (int i = 0; i < x.Length; i++)
        {
            max = Math.Max(max, x[i]);
            repeat += x[i] > 0 ? (int)count[i] : 0;
        }

        MaxFrequency = max;
        RepeatBuyerCount = repeat;
    }

    /// <summary>x of each distinct triple.</summary>
    public int[] Frequency { get; }

    /// <summary>t_x of each distinct triple, in weeks.</summary>
    public double[] Recency { get; }

    /// <summary>T of each distinct triple, in weeks.</summary>
    public double[] Age { get; }

    /// <summary>How many customers share each triple (a double because it multiplies log-likelihoods).</summary>
    public double[] Count { get; }

    /// <summary>Number of distinct triples.</summary>
    public int GroupCount => Frequency.Length;

    /// <summary>Number of customers before compression.</summary>
    public int CustomerCount { get; }

    /// <summary>Customers with at least one repeat purchase.</summary>
    public int RepeatBuyerCount { get; }

    /// <summary>Largest x.</summary>
    public int MaxFrequency { get; }

    /// <summary>Compresses customer summaries.</summary>
    public static RepeatPurchaseData From(ReadOnlySpan<CustomerSummary> customers)
    {
        var x = new int[customers.Length];
        var tx = new double[customers.Length];
        var age = new double[customers.Length];
        for (int i = 0; i < customers.Length; i++)
        {
            x[i] = customers[i].Frequency;
            tx[i] = customers[i].Recency;
            age[i] = customers[i].Age;
        }

        return From(x, tx, age);
    }

    /// <summary>Compresses raw (x, t_x, T) columns; validates them on the way.</summary>
    public static RepeatPurchaseData From(ReadOnlySpan<int> x, ReadOnlySpan<double> recency, ReadOnlySpan<double> age)
    {
        if (x.Length != recency.Length || x.Length != age.Length)
        {
            throw new ArgumentException("x, t_x and T must have the same length.");
        }

        var groups = new Dictionary<(int, double, double), int>();
        var gx = new List<int>();
        var gtx = new List<double>();
        var gage = new List<double>();
        var gcount = new List<double>();
        for (int i = 0; i < x.Length; i++)
        {
            Validate(i, x[i], recency[i], age[i]);
            var key = (x[i], recency[i], age[i]);
            if (groups.TryGetValue(key, out int g))
            {
                gcount[g] += 1;
                continue;
            }

            groups.Add(key, gx.Count);
            gx.Add(x[i]);
            gtx.Add(recency[i]);
            gage.Add(age[i]);
            gcount.Add(1);
        }

        return new RepeatPurchaseData(gx.ToArray(), gtx.ToArray(), gage.ToArray(), gcount.ToArray(), x.Length);
    }

    private static void Validate(int i, int x, double tx, double age)
    {
        bool ok = x >= 0 && tx >= 0 && age >= tx && double.IsFinite(age) && (x > 0 || tx == 0);
        if (!ok)
        {
            throw new ArgumentException(
                $"Customer {i} has inconsistent statistics x={x}, t_x={tx}, T={age}: need x >= 0, 0 <= t_x <= T, and t_x = 0 when x = 0.");
        }
    }
}
