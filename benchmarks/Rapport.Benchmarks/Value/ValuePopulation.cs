namespace Rapport.Benchmarks.Value;

/// <summary>
/// A synthetic customer base for the value benchmarks: customers whose orders add up to about
/// ten per customer (1 + a geometric count), order values drawn log-normally around £40, a
/// margin of about 35% of net revenue minus occasional service costs (so some customers lose
/// money) and last orders spread over two years. Fixed seed.
/// </summary>
public sealed class ValuePopulation
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private ValuePopulation(int n)
    {
        Orders = new long[n];
        LastOrderAt = new long[n];
        NetRevenue = new long[n];
        Margin = new long[n];
    }

    public long[] Orders { get; }

    public long[] LastOrderAt { get; }

    public long[] NetRevenue { get; }

    public long[] Margin { get; }

    public long TotalOrders => Orders.Sum();

    public static ValuePopulation Generate(int customers, double meanOrders = 10, int seed = 20_260_101)
    {
        var random = new Random(seed);
        var p = new ValuePopulation(customers);
        double q = 1 / meanOrders; // geometric on 1, 2, … with mean 1/q
        long span = (long)TimeSpan.FromDays(730).TotalMilliseconds;
        for (int i = 0; i < customers; i++)
        {
            long orders = 1 + (long)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(1 - q));
            double net = 0;
            for (long k = 0; k < Math.Min(orders, 50); k++)
            {
                net += Math.Exp(3.4 + 0.8 * Normal(random)) * 10_000;
            }

            net *= orders / (double)Math.Min(orders, 50);
            p.Orders[i] = orders;
            p.NetRevenue[i] = (long)net;
            p.Margin[i] = (long)(net * 0.35) - (random.NextDouble() < 0.1 ? (long)(random.NextDouble() * 400_000) : 0);
            p.LastOrderAt[i] = Start.ToUnixTimeMilliseconds() + (long)(random.NextDouble() * span);
        }

        return p;
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
