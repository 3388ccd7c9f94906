namespace Rapport.Engine.Clv;

/// <summary>
/// Turns a transaction log into per-customer summaries under the standard "buy till you die"
/// protocol (Fader, Hardie and Lee 2005): whole days, same-day purchases merged into one
/// transaction, time measured in weeks of 7 days from each customer's first purchase.
/// </summary>
public static class CustomerSummaries
{
    /// <summary>Days in the model's time unit.</summary>
    public const double DaysPerWeek = 7.0;

    /// <summary>
    /// Builds one summary per customer whose first purchase is on or before
    /// <paramref name="calibrationEnd"/>; later customers are not in the calibration cohort and are
    /// left out. Transactions after <paramref name="holdoutEnd"/> (or after the calibration end when
    /// there is no holdout) are ignored. Output order is the order of first appearance in the input.
    /// </summary>
    public static CustomerSummary[] Build(
        ReadOnlySpan<Transaction> transactions, DateOnly calibrationEnd, DateOnly? holdoutEnd = null)
    {
        if (holdoutEnd is { } h && h <= calibrationEnd)
        {
            throw new ArgumentException(
                $"The holdout end {h:yyyy-MM-dd} must be after the calibration end {calibrationEnd:yyyy-MM-dd}.",
                nameof(holdoutEnd));
        }

        int lastDay = (holdoutEnd ?? calibrationEnd).DayNumber;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        // One sortable key per transaction: customer index in the high bits, day number in the low
        // 22 bits (DayNumber < 4.2M covers every DateOnly), so a single Array.Sort groups and orders.
        var keys = new long[transactions.Length];
        var amounts = new decimal[transactions.Length];
        int n = 0;
        foreach (ref readonly var t in transactions)
        {
            if (t.Date.DayNumber > lastDay)
            {
                continue;
            }

            if (!index.TryGetValue(t.CustomerId, out int c))
            {
                c = ids.Count;
                index.Add(t.CustomerId, c);
                ids.Add(t.CustomerId);
            }

            keys[n] = ((long)c << 22) | (uint)t.Date.DayNumber;
            amounts[n] = t.Amount;
            n++;
        }

        Array.Sort(keys, amounts, 0, n);
        return Summarise(keys.AsSpan(0, n), amounts.AsSpan(0, n), ids, calibrationEnd.DayNumber);
    }

    /// <summary>Length of the holdout period in weeks.</summary>
    public static double HoldoutWeeks(DateOnly calibrationEnd, DateOnly holdoutEnd) =>
        (holdoutEnd.DayNumber - calibrationEnd.DayNumber) / DaysPerWeek;

    private static CustomerSummary[] Summarise(
        ReadOnlySpan<long> keys, ReadOnlySpan<decimal> amounts, List<string> ids, int calEnd)
    {
        var result = new List<CustomerSummary>(ids.Count);
        int i = 0;
        while (i < keys.Length)
        {
            long firstKey = keys[i];
            int customer = (int)(firstKey >> 22);
            int first = (int)(firstKey & 0x3FFFFF);
            // Skip every row of the first day: same-day purchases are one transaction, and the
            // first transaction is the customer's birth, not a repeat purchase.
            while (i < keys.Length && keys[i] == firstKey)
            {
                i++;
            }

            int repeats = 0, holdout = 0, lastRepeat = first;
            decimal repeatValue = 0m;
            while (i < keys.Length && (int)(keys[i] >> 22) == customer)
            {
                long dayKey = keys[i];
                int day = (int)(dayKey & 0x3FFFFF);
                decimal dayValue = 0m;
                while (i < keys.Length && keys[i] == dayKey)
                {
                    dayValue += amounts[i];
                    i++;
                }

                if (day <= calEnd)
                {
                    repeats++;
                    repeatValue += dayValue;
                    lastRepeat = day;
                }
                else
                {
                    holdout++;
                }
            }

            if (first > calEnd)
            {
                continue;
            }

            result.Add(new CustomerSummary(
                ids[customer],
                DateOnly.FromDayNumber(first),
                repeats,
                (lastRepeat - first) / DaysPerWeek,
                (calEnd - first) / DaysPerWeek,
                repeats == 0 ? 0.0 : (double)(repeatValue / repeats),
                holdout));
        }

        return result.ToArray();
    }
}
