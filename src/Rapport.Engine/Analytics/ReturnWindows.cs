namespace Rapport.Engine.Analytics;

/// <summary>
/// One cohort (customers whose first purchase or visit fell in the period) and, per return
/// window, how many of those who have had the whole window came back within it. Eligible[k] is
/// null-free; Shares[k] is null while nobody in the cohort has had the whole window yet.
/// </summary>
public sealed record ReturnWindowCohort(string Cohort, DateOnly Start, long Customers, IReadOnlyList<long> Eligible, IReadOnlyList<long> Returned, IReadOnlyList<double?> Shares);

/// <summary>
/// Returns within 1 day, 1 week, 1 month (or any windows in days) of the first purchase or
/// visit, by cohort. "Came back within N days" means active again on a later UTC day no more
/// than N days after the first day: a second page view in the same session (or the same day)
/// is not a return. A customer counts for a window only once N whole days after their first day
/// have passed, so a young cohort is not read as a drop.
/// </summary>
public static class ReturnWindows
{
    public const long MsPerDay = 86_400_000;

    public static readonly IReadOnlyList<int> DefaultDays = [1, 7, 30];

    /// <summary>The start of the UTC day after the one <paramref name="ms"/> falls in: where a return may begin.</summary>
    public static long NextDayStart(long ms) => ((long)Math.Floor(ms / (double)MsPerDay) * MsPerDay) + MsPerDay;

    /// <param name="customers">Each customer's first activity and their first activity on a later day (null: none).</param>
    public static IReadOnlyList<ReturnWindowCohort> Build(CohortPeriod period, IEnumerable<(long First, long? Next)> customers, long nowMs, IReadOnlyList<int> days)
    {
        var cohorts = new SortedDictionary<int, (long Customers, long[] Eligible, long[] Returned)>();
        foreach (var (first, next) in customers)
        {
            var index = Periods.Of(first, period);
            if (!cohorts.TryGetValue(index, out var c))
            {
                c = (0, new long[days.Count], new long[days.Count]);
            }

            c.Customers++;
            var dayAfter = NextDayStart(first);
            for (int k = 0; k < days.Count; k++)
            {
                // The window ends N days after the first day: [first day + 1, first day + N] inclusive.
                var end = dayAfter + ((days[k] - 1) * MsPerDay) + MsPerDay;
                if (end > nowMs)
                {
                    continue;
                }

                c.Eligible[k]++;
                if (next is { } n && n < end)
                {
                    c.Returned[k]++;
                }
            }

            cohorts[index] = c;
        }

        return cohorts.Select(kv => new ReturnWindowCohort(
            Periods.Label(kv.Key, period),
            Periods.Start(kv.Key, period),
            kv.Value.Customers,
            kv.Value.Eligible,
            kv.Value.Returned,
            kv.Value.Eligible.Select((e, k) => e == 0 ? (double?)null : (double)kv.Value.Returned[k] / e).ToList())).ToList();
    }
}
