using Rapport.Engine.Decisioning;

namespace Rapport.Engine.Loyalty;

/// <summary>A customer's surprise history over all programmes (gifts and hold-outs alike).</summary>
public sealed record SurpriseHistory(DateTimeOffset? Last, IReadOnlyList<DateTimeOffset> Recent);

/// <summary>One planned outcome of a run: a gift, or a hold-out in the control group.</summary>
public sealed record SurprisePick(long Customer, bool Control);

/// <summary>
/// Chooses a run's recipients (pure): eligible customers in the order given (best first), those
/// whose spacing allows it, each put on its side by the deterministic hold-out of
/// <see cref="ControlGroups"/>; control customers get nothing and cost nothing; treated ones are
/// taken while the budget left covers one more gift, up to MaxPerRun. The budget is never
/// exceeded: spent + gifts × cost ≤ budget.
/// </summary>
public static class SurprisePlanner
{
    public static string Experiment(long programId) => $"surprise-{programId}";

    public static bool SpacingAllows(SurpriseSpacing spacing, SurpriseHistory? history, DateTimeOffset now)
    {
        if (history is null)
        {
            return true;
        }

        if (history.Last is { } last && now - last < TimeSpan.FromDays(spacing.MinDaysBetween))
        {
            return false;
        }

        var since = now - TimeSpan.FromDays(spacing.PeriodDays);
        return history.Recent.Count(at => at > since) < spacing.MaxPerPeriod;
    }

    public static IReadOnlyList<SurprisePick> Plan(
        long programId, SurpriseProgram program, IEnumerable<long> eligible, IReadOnlyDictionary<long, SurpriseHistory> history, decimal spent, DateTimeOffset now)
    {
        var picks = new List<SurprisePick>();
        var left = program.Budget - spent;
        var treated = 0;
        foreach (var customer in eligible)
        {
            if (treated >= program.MaxPerRun || left < program.Gift.Cost || (program.Gift.Cost == 0 && left <= 0))
            {
                break;
            }

            if (!SpacingAllows(program.Spacing, history.GetValueOrDefault(customer), now))
            {
                continue;
            }

            if (ControlGroups.InControl(Experiment(programId), customer, program.HoldoutShare))
            {
                picks.Add(new SurprisePick(customer, true));
                continue;
            }

            picks.Add(new SurprisePick(customer, false));
            left -= program.Gift.Cost;
            treated++;
        }

        return picks;
    }
}

/// <summary>
/// The effect of a programme: retention (a repeat purchase within N days of the surprise or
/// hold-out) as an <see cref="Uplift"/>, and spend in those N days per customer, treated against
/// control, with a 95% interval of the difference of means (normal approximation, Welch's
/// standard error); the interval is null while a group is empty.
/// </summary>
public sealed record SurpriseEffect(int Days, Uplift Retention, decimal TreatedSpend, decimal ControlSpend, decimal SpendDifference, decimal? SpendLow, decimal? SpendHigh)
{
    public static SurpriseEffect Compute(int days, IReadOnlyList<(bool Control, bool Retained, decimal Spend)> outcomes)
    {
        var t = outcomes.Where(o => !o.Control).ToList();
        var c = outcomes.Where(o => o.Control).ToList();
        var retention = Uplift.Compute(t.Count, t.Count(o => o.Retained), c.Count, c.Count(o => o.Retained));
        var (mt, vt) = MeanVariance(t.Select(o => (double)o.Spend).ToList());
        var (mc, vc) = MeanVariance(c.Select(o => (double)o.Spend).ToList());
        var diff = mt - mc;
        var se = t.Count > 0 && c.Count > 0 ? Math.Sqrt((vt / t.Count) + (vc / c.Count)) : double.NaN;
        decimal? low = double.IsNaN(se) ? null : Round(diff - (1.96 * se));
        decimal? high = double.IsNaN(se) ? null : Round(diff + (1.96 * se));
        return new SurpriseEffect(days, retention, Round(mt), Round(mc), Round(diff), low, high);
    }

    private static decimal Round(double x) => Math.Round((decimal)x, 2, MidpointRounding.AwayFromZero);

    /// <summary>Mean and sample variance (n − 1); variance 0 below two values.</summary>
    private static (double Mean, double Variance) MeanVariance(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0)
        {
            return (0, 0);
        }

        var mean = xs.Average();
        var variance = xs.Count > 1 ? xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1) : 0;
        return (mean, variance);
    }
}
