namespace Rapport.Engine.Analytics;

/// <summary>One period's figures: money in storage units (1/10,000), counts.</summary>
public sealed record PeriodPoint(string Label, DateOnly Start, long Amount, long Count);

/// <summary>Sums amounts and counts per period (revenue by month), with empty periods filled in.</summary>
public sealed class PeriodSeries(CohortPeriod period)
{
    private readonly Dictionary<int, (long Amount, long Count)> _sums = [];

    public void Add(long atUnixMs, long amount, long count = 1)
    {
        var p = Periods.Of(atUnixMs, period);
        _sums.TryGetValue(p, out var s);
        _sums[p] = (s.Amount + amount, s.Count + count);
    }

    /// <summary>Every period from the first to the last with data, the last <paramref name="maxPeriods"/> of them.</summary>
    public IReadOnlyList<PeriodPoint> Points(int maxPeriods = 36)
    {
        if (_sums.Count == 0)
        {
            return [];
        }

        var last = _sums.Keys.Max();
        var first = Math.Max(_sums.Keys.Min(), last - maxPeriods + 1);
        var points = new List<PeriodPoint>(last - first + 1);
        for (var p = first; p <= last; p++)
        {
            _sums.TryGetValue(p, out var s);
            points.Add(new PeriodPoint(Periods.Label(p, period), Periods.Start(p, period), s.Amount, s.Count));
        }

        return points;
    }
}
