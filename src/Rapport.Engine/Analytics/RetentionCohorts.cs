namespace Rapport.Engine.Analytics;

/// <summary>
/// Customers whose first purchase fell in one period, and how many of them bought again k
/// periods later. <see cref="Returning"/>[k−1] is the count for offset k (k = 1, 2, …); null
/// where that period has not fully happened yet (it would read as a false drop to zero).
/// </summary>
public sealed record Cohort(string Label, DateOnly Start, long Customers, IReadOnlyList<long?> Returning)
{
    /// <summary>Share of the cohort buying in period k (1-based); null when not yet observed or the cohort is empty.</summary>
    public double? Share(int k) =>
        k >= 1 && k <= Returning.Count && Returning[k - 1] is { } n && Customers > 0 ? (double)n / Customers : null;
}

/// <summary>
/// Retention by first-purchase cohort plus the repeat-purchase rate: buyers with two or more
/// purchases (ever) over all buyers.
/// </summary>
public sealed record CohortTable(
    CohortPeriod Period, int Offsets, IReadOnlyList<Cohort> Cohorts, long Buyers, long RepeatBuyers)
{
    public double? RepeatRate => Buyers > 0 ? (double)RepeatBuyers / Buyers : null;
}

/// <summary>
/// Builds a <see cref="CohortTable"/> from purchases given in any order. Memory is one long per
/// purchase (customer and period packed together), sorted once: 10M purchases take 80 MB and
/// about a second, with no per-customer objects.
/// </summary>
public sealed class RetentionCohortBuilder(CohortPeriod period)
{
    // Customer ids fit in 40 bits (a trillion customers); the period in the low 24 bits
    // (months up to year 1.3 million, weeks up to year 300,000).
    private const int PeriodBits = 24;
    private const long PeriodMask = (1L << PeriodBits) - 1;
    private readonly List<long> _packed = [];

    public CohortPeriod Period => period;

    public void Add(long customerId, long atUnixMs)
    {
        if (customerId < 0 || customerId >= 1L << (63 - PeriodBits))
        {
            throw new ArgumentOutOfRangeException(nameof(customerId), customerId, "customer ids must be between 0 and 2^39");
        }

        var p = Periods.Of(atUnixMs, period);
        if (p < 0)
        {
            return; // before 1970: not a real purchase time
        }

        _packed.Add((customerId << PeriodBits) | (p & PeriodMask));
    }

    /// <param name="asOfUnixMs">Now: offsets whose period has not ended by then are null.</param>
    /// <param name="offsets">How many periods after the first to report (1 … offsets).</param>
    public CohortTable Build(long asOfUnixMs, int offsets = 12)
    {
        if (offsets is < 1 or > 520)
        {
            throw new ArgumentOutOfRangeException(nameof(offsets), offsets, "offsets must be between 1 and 520");
        }

        var items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_packed);
        items.Sort();
        var current = Periods.Of(asOfUnixMs, period);
        var sizes = new SortedDictionary<int, long>();
        var returning = new Dictionary<int, long[]>();
        long buyers = 0, repeaters = 0;
        int i = 0;
        while (i < items.Length)
        {
            var customer = items[i] >> PeriodBits;
            var first = (int)(items[i] & PeriodMask);
            buyers++;
            int purchases = 0, last = -1;
            if (!returning.TryGetValue(first, out var counts))
            {
                counts = new long[offsets];
                returning[first] = counts;
                sizes[first] = 0;
            }

            sizes[first]++;
            for (; i < items.Length && items[i] >> PeriodBits == customer; i++)
            {
                purchases++;
                var p = (int)(items[i] & PeriodMask);
                var k = p - first;
                // Count each customer once per offset however many times they bought in it.
                if (p != last && k >= 1 && k <= offsets)
                {
                    counts[k - 1]++;
                }

                last = p;
            }

            if (purchases >= 2)
            {
                repeaters++;
            }
        }

        var cohorts = sizes.Select(kv =>
        {
            var counts = returning[kv.Key];
            var observed = new long?[offsets];
            for (int k = 1; k <= offsets; k++)
            {
                // A period is reported once it has ended: kv.Key + k < current.
                observed[k - 1] = kv.Key + k < current ? counts[k - 1] : null;
            }

            return new Cohort(Periods.Label(kv.Key, period), Periods.Start(kv.Key, period), kv.Value, observed);
        }).ToList();
        return new CohortTable(period, offsets, cohorts, buyers, repeaters);
    }
}
