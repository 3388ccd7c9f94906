using System.Globalization;

namespace Rapport.Engine.Analytics;

/// <summary>How cohorts and time series are bucketed.</summary>
public enum CohortPeriod
{
    Month,
    Week,
}

/// <summary>
/// Period arithmetic on UTC unix milliseconds. A period is a whole number counted from the
/// epoch, so "three periods later" is plain subtraction: months as year·12 + month − 1, weeks
/// as ISO weeks starting on Monday.
/// </summary>
public static class Periods
{
    private const long MsPerDay = 86_400_000;

    /// <summary>
    /// Data whose latest activity is older than this is an archive, not a quiet live store: a
    /// year. A store whose last sale was months ago may still be live (a seasonal shop, a test
    /// store: its empty months are real zeros); a year without one is history.
    /// </summary>
    public const long ArchiveAfterMs = 365 * MsPerDay;

    /// <summary>
    /// The moment periods are judged "ended" against: now, unless the latest activity in the data
    /// is more than <see cref="ArchiveAfterMs"/> old, which makes it an archive (the demo's 2011
    /// orders) observed only up to that activity. Measured against now, every month after an
    /// archive's last day would have "ended with no purchases" and read as a collapse to 0%; a
    /// live store's quiet months stay observed.
    /// </summary>
    public static long ObservedThrough(long nowMs, long? latestActivityMs) =>
        latestActivityMs is { } latest && nowMs - latest > ArchiveAfterMs ? latest : nowMs;

    public static int Of(long unixMs, CohortPeriod period)
    {
        var days = (int)Math.Floor(unixMs / (double)MsPerDay);
        if (period == CohortPeriod.Week)
        {
            // 1970-01-01 was a Thursday: shifting by 3 days puts every Monday at a multiple of 7.
            return (int)Math.Floor((days + 3) / 7.0);
        }

        var date = DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + days);
        return (date.Year * 12) + date.Month - 1;
    }

    /// <summary>The first day of the period.</summary>
    public static DateOnly Start(int index, CohortPeriod period) =>
        period == CohortPeriod.Week
            ? DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (index * 7) - 3)
            : new DateOnly(index / 12, (index % 12) + 1, 1);

    /// <summary>"2025-03" for a month, "2025-03-03" (its Monday) for a week.</summary>
    public static string Label(int index, CohortPeriod period) =>
        period == CohortPeriod.Week
            ? Start(index, period).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : Start(index, period).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out CohortPeriod period)
    {
        period = CohortPeriod.Month;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "month":
                return true;
            case "week":
                period = CohortPeriod.Week;
                return true;
            default:
                return false;
        }
    }
}
