namespace Rapport.Engine.Journeys;

/// <summary>When a wait ends, and whether a yearly date falls on a day: the clock arithmetic of journeys.</summary>
public static class JourneyWaits
{
    /// <param name="nextPurchase">When the customer's own cadence says they will buy again (earliest product), if known.</param>
    public static DateTimeOffset DueAt(WaitStep wait, DateTimeOffset now, DateTimeOffset? nextPurchase)
    {
        if (wait.Duration is { } d)
        {
            return now + d;
        }

        if (wait.UntilTime is { } time)
        {
            var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero) + time.ToTimeSpan();
            return today > now ? today : today.AddDays(1);
        }

        if (wait.UntilDate is { } date)
        {
            return date > now ? date : now;
        }

        // Cadence: shortly before the next purchase is due; no cadence yet (one purchase) = the fallback.
        if (nextPurchase is { } next)
        {
            var due = next - wait.Before;
            return due > now ? due : now;
        }

        return now + (wait.Fallback ?? TimeSpan.Zero);
    }

    /// <summary>
    /// Reads a yearly date from a trait: "1990-05-17", "05-17", "--05-17" or an ISO timestamp.
    /// Returns (month, day) or null when the text is not a date.
    /// </summary>
    public static (int Month, int Day)? YearlyDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var t = text.Trim().TrimStart('-');
        if (t.Length >= 10 && DateOnly.TryParseExact(t[..10], "yyyy-MM-dd", out var full))
        {
            return (full.Month, full.Day);
        }

        if (t.Length == 5 && DateOnly.TryParseExact("2000-" + t, "yyyy-MM-dd", out var md))
        {
            return (md.Month, md.Day);
        }

        return null;
    }

    /// <summary>
    /// Whether the yearly date falls <paramref name="daysBefore"/> days after <paramref name="today"/>;
    /// 29 February is celebrated on 28 February in other years.
    /// </summary>
    public static bool FallsOn((int Month, int Day) date, DateOnly today, int daysBefore)
    {
        var target = today.AddDays(daysBefore);
        var day = date is (2, 29) && !DateTime.IsLeapYear(target.Year) ? 28 : date.Day;
        return target.Month == date.Month && target.Day == day;
    }
}
