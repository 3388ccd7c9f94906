using System.Globalization;
using System.Text;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>
/// One cause over a period: Donated is the net money given (donations less reversals),
/// FromPoints / FromPurchases split it by source, Reversed is what refunds took back,
/// PointsDonated the points given, Donations the number of donations (reversals not counted)
/// and Donors the customers who gave at least once in the period.
/// </summary>
public sealed record CauseReportRow(
    long CauseId, string Name, decimal Donated, decimal FromPoints, decimal FromPurchases, decimal Reversed, long PointsDonated, long Donations, long Donors);

/// <summary>The report per cause for [From, To] (UTC days, both included; null = open).</summary>
public sealed record CauseReport(DateOnly? From, DateOnly? To, IReadOnlyList<CauseReportRow> Causes)
{
    public decimal Donated => Causes.Sum(c => c.Donated);
}

/// <summary>GET /v1/causes/report: what each cause received in a period, as JSON or CSV.</summary>
public sealed class CauseReports(IDatabase database)
{
    public async Task<CauseReport> ReportAsync(DateOnly? from, DateOnly? to, long? causeId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var start = from is { } f ? UnixTime.ToStorage(new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : long.MinValue;
        var end = to is { } t ? UnixTime.ToStorage(new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : long.MaxValue;
        var rows = await c.QueryAsync<(long Id, string Name, long Net, long Points, long Purchases, long Reversed, long PointsDonated, long Donations, long Donors)>(
            $"""
            SELECT c.id, c.name,
              COALESCE(SUM(d.amount_e4), 0),
              COALESCE(SUM(CASE WHEN d.source = 'points' THEN d.amount_e4 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN d.source = 'purchase' THEN d.amount_e4 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN d.amount_e4 < 0 THEN -d.amount_e4 ELSE 0 END), 0),
              COALESCE(SUM(d.points), 0),
              COUNT(CASE WHEN d.amount_e4 > 0 THEN 1 END),
              COUNT(DISTINCT CASE WHEN d.amount_e4 > 0 THEN d.customer_id END)
            FROM causes c LEFT JOIN cause_donations d ON d.cause_id = c.id AND d.at >= @start AND d.at < @end
            {(causeId is null ? "" : "WHERE c.id = @causeId")}
            GROUP BY c.id, c.name ORDER BY c.name, c.id
            """,
            new { start, end, causeId });
        return new CauseReport(
            from,
            to,
            rows.Select(r => new CauseReportRow(
                    r.Id, r.Name, Money.FromStorage(r.Net), Money.FromStorage(r.Points), Money.FromStorage(r.Purchases), Money.FromStorage(r.Reversed),
                    r.PointsDonated, r.Donations, r.Donors))
                .ToList());
    }

    /// <summary>One line per cause, invariant culture, names quoted when they need it.</summary>
    public static string Csv(CauseReport report)
    {
        var b = new StringBuilder("cause_id,name,donated,from_points,from_purchases,reversed,points_donated,donations,donors\n");
        foreach (var r in report.Causes)
        {
            b.Append(CultureInfo.InvariantCulture, $"{r.CauseId},{Quote(r.Name)},{r.Donated:0.00},{r.FromPoints:0.00},{r.FromPurchases:0.00},{r.Reversed:0.00},{r.PointsDonated},{r.Donations},{r.Donors}\n");
        }

        return b.ToString();
    }

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 || s.StartsWith('=') ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
