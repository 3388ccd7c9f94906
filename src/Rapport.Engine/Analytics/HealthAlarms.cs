namespace Rapport.Engine.Analytics;

/// <summary>
/// The relationship-health rules and their thresholds (configuration section Rapport:Alarms).
/// A new weekly cohort (first purchase that week, among the last <see cref="CohortWeeks"/> whose
/// members have all had a full week to come back) alarms when fewer than
/// <see cref="CohortWeekReturnBelow"/> of it bought again within 7 days. The repeat rate of the
/// last <see cref="RepeatPeriodDays"/> days alarms when it fell by more than
/// <see cref="RepeatRateDropAbove"/> (relative) against the period before. Groups smaller than
/// the minimums are not judged: three customers are noise.
/// </summary>
public sealed record AlarmRules
{
    public double CohortWeekReturnBelow { get; init; } = 0.05;
    public int CohortWeeks { get; init; } = 4;
    public long CohortMinCustomers { get; init; } = 20;
    public double RepeatRateDropAbove { get; init; } = 0.2;
    public int RepeatPeriodDays { get; init; } = 30;
    public long RepeatMinBuyers { get; init; } = 20;

    /// <summary>What is wrong with these thresholds, empty when none.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (CohortWeekReturnBelow is < 0 or > 1) p.Add("CohortWeekReturnBelow must be a share between 0 and 1");
        if (CohortWeeks is < 1 or > 52) p.Add("CohortWeeks must be between 1 and 52");
        if (RepeatRateDropAbove is < 0 or > 1) p.Add("RepeatRateDropAbove must be a share between 0 and 1");
        if (RepeatPeriodDays is < 1 or > 365) p.Add("RepeatPeriodDays must be between 1 and 365");
        if (CohortMinCustomers < 1 || RepeatMinBuyers < 1) p.Add("the minimum group sizes must be at least 1");
        return p;
    }
}

/// <summary>A first-purchase week: its customers and how many of them bought again within 7 days of their first order.</summary>
public sealed record CohortWeekReturn(string Cohort, long Customers, long ReturnedWithinWeek);

/// <summary>Buyers in a period and those among them with two or more sales in it.</summary>
public sealed record PeriodRepeat(long Buyers, long RepeatBuyers)
{
    public double? Rate => Buyers == 0 ? null : (double)RepeatBuyers / Buyers;
}

/// <summary>One rule judged on one subject: <paramref name="Firing"/> is the alarm; a rule with too little data is not firing and says so.</summary>
public sealed record RuleCheck(string Rule, string Subject, bool Firing, double? Observed, double Threshold, string Message);

public static class HealthAlarms
{
    /// <summary>A share as "12.5%" (invariant, no space), as the dashboard writes shares.</summary>
    private static string Pct(double? share) => share is { } v ? (v * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%" : "—";

    public const string CohortRule = "new-cohort-week-return";
    public const string RepeatRule = "repeat-rate-drop";

    public static IReadOnlyList<RuleCheck> Evaluate(AlarmRules rules, IReadOnlyList<CohortWeekReturn> newCohorts, PeriodRepeat current, PeriodRepeat previous)
    {
        var checks = new List<RuleCheck>();
        foreach (var c in newCohorts)
        {
            var share = c.Customers == 0 ? (double?)null : (double)c.ReturnedWithinWeek / c.Customers;
            var judged = c.Customers >= rules.CohortMinCustomers;
            var firing = judged && share < rules.CohortWeekReturnBelow;
            checks.Add(new(CohortRule, $"cohort {c.Cohort}", firing, share, rules.CohortWeekReturnBelow, !judged
                ? $"Cohort {c.Cohort}: {c.Customers} new customers, fewer than {rules.CohortMinCustomers}: not judged."
                : $"Cohort {c.Cohort}: {c.ReturnedWithinWeek} of {c.Customers} new customers ({Pct(share)}) bought again within a week; the threshold is {Pct(rules.CohortWeekReturnBelow)}."));
        }

        var judgedRepeat = current.Buyers >= rules.RepeatMinBuyers && previous.Buyers >= rules.RepeatMinBuyers && previous.Rate > 0;
        double? drop = judgedRepeat ? 1 - (current.Rate!.Value / previous.Rate!.Value) : null;
        checks.Add(new(RepeatRule, $"last {rules.RepeatPeriodDays} days", judgedRepeat && drop > rules.RepeatRateDropAbove, drop, rules.RepeatRateDropAbove, !judgedRepeat
            ? $"Repeat rate: {current.Buyers} buyers in the last {rules.RepeatPeriodDays} days and {previous.Buyers} before (at least {rules.RepeatMinBuyers} each, with some repeat buyers before): not judged."
            : $"Repeat rate {Pct(current.Rate)} in the last {rules.RepeatPeriodDays} days against {Pct(previous.Rate)} the {rules.RepeatPeriodDays} days before: {(drop >= 0 ? $"down {Pct(drop)}" : $"up {Pct(-drop)}")}; an alarm above a {Pct(rules.RepeatRateDropAbove)} drop."));
        return checks;
    }
}
