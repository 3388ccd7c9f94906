using System.Globalization;
using System.Text;
using Rapport.Core.Value;

namespace Rapport.Core.Analytics;

/// <summary>
/// The analytics as CSV (RFC 4180, invariant culture, shares as fractions 0..1, money in
/// currency units), one row per chart point, for spreadsheets. Unobserved cells are empty.
/// </summary>
public static class AnalyticsCsv
{
    public static string RevenueByMonth(OverviewFigures o) =>
        Table(["month", "net_revenue", "orders"], o.RevenueByMonth.Select(p => new object?[] { p.Month, p.Revenue, p.Orders }));

    public static string Cohorts(CohortReport r) =>
        Table(
            ["cohort", "customers", .. Enumerable.Range(1, r.Offsets).Select(k => $"returned_{r.Period}_{k}"), .. Enumerable.Range(1, r.Offsets).Select(k => $"share_{r.Period}_{k}")],
            r.Cohorts.Select(c => new object?[] { c.Cohort, c.Customers }.Concat(c.Returning.Cast<object?>()).Concat(c.Shares.Cast<object?>()).ToArray()));

    public static string RepeatPurchase(RepeatPurchaseReport r) =>
        Table(["buyers", "repeat_buyers", "repeat_rate"], [[r.Buyers, r.RepeatBuyers, r.RepeatRate]]);

    public static string Clv(ClvDistributionReport r) =>
        Table(["clv_from", "clv_to", "customers"], r.Bins.Select(b => new object?[] { b.From, b.To, b.Customers }));

    public static string Pareto(ParetoReply r) =>
        Table(["customer_share", "revenue_share", "margin_share"], r.Curve.Select(p => new object?[] { p.CustomerShare, p.RevenueShare, p.MarginShare }));

    public static string Table(IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', header.Select(Field)).Append("\r\n");
        foreach (var row in rows)
        {
            sb.AppendJoin(',', row.Select(v => Field(Format(v)))).Append("\r\n");
        }

        return sb.ToString();
    }

    private static string Format(object? v) => v switch
    {
        null => "",
        double d => d.ToString("0.######", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Field(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
