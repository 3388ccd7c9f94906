namespace Rapport.Core.Analytics;

/// <summary>The later analytics as CSV, in the same form as <see cref="AnalyticsCsv"/> (one row per chart point).</summary>
public static class RelationshipCsv
{
    public static string Funnel(FunnelReport r) =>
        AnalyticsCsv.Table(
            ["from", "through", "step", "reached", "did", "from_previous", "from_first"],
            r.Steps.Select(s => new object?[] { Day(r.From), Day(r.Through), s.Name, s.Reached, s.Did, s.FromPrevious, s.FromFirst }));

    public static string CartAbandonment(FunnelReport r) =>
        AnalyticsCsv.Table(["from", "through", "added_to_cart", "added_and_ordered", "cart_abandonment_rate"], [[Day(r.From), Day(r.Through), r.AddedToCart, r.AddedAndOrdered, r.CartAbandonmentRate]]);

    public static string ReturnWindows(ReturnWindowReport r) =>
        AnalyticsCsv.Table(
            ["cohort", "customers", .. r.Days.SelectMany(d => new[] { $"eligible_{d}d", $"returned_{d}d", $"share_{d}d" })],
            r.Cohorts.Select(c => new object?[] { c.Cohort, c.Customers }
                .Concat(Enumerable.Range(0, r.Days.Count).SelectMany(k => new object?[] { c.Eligible[k], c.Returned[k], c.Shares[k] })).ToArray()));

    public static string Channels(ChannelMixReport r) =>
        AnalyticsCsv.Table(
            ["group", "customers", "buyers", "orders", "net_revenue", "revenue_per_customer", "orders_per_customer", "revenue_per_buyer", "orders_per_buyer"],
            new[] { r.Multichannel, r.SingleChannel }.Select(g => new object?[]
            {
                g.Group, g.Customers, g.Buyers, g.Orders, g.NetRevenue, g.RevenuePerCustomer, g.OrdersPerCustomer, g.RevenuePerBuyer, g.OrdersPerBuyer,
            }));

    public static string Clv(ClvCalibrationReport r) =>
        AnalyticsCsv.Table(
            ["model", "decile", "customers", "predicted_clv_mean", "actual_spend_mean", "share_of_actual"],
            r.Deciles.Select(d => new object?[] { r.Model, d.Decile, d.Customers, d.PredictedMean, d.ActualMean, d.ShareOfActual }));

    public static string Uplift(UpliftReport r) =>
        AnalyticsCsv.Table(
            ["subject", "id", "name", "kind", "treated", "treated_converted", "treated_rate", "control", "control_converted", "control_rate", "uplift", "low", "high", "accepted", "ignored", "acceptance"],
            r.Rows.Select(x => new object?[]
            {
                x.Subject, x.Id, x.Name, x.Kind, x.Uplift.Treated, x.Uplift.TreatedConverted, x.Uplift.TreatedRate, x.Uplift.Control, x.Uplift.ControlConverted,
                x.Uplift.ControlRate, x.Uplift.Difference, x.Uplift.Low, x.Uplift.High, x.Accepted, x.Ignored, x.Acceptance,
            }));

    public static string Acceptance(UpliftReport r) =>
        AnalyticsCsv.Table(["kind", "shown", "accepted", "ignored", "open", "acceptance"], r.Acceptance.Select(a => new object?[] { a.Kind, a.Shown, a.Accepted, a.Ignored, a.Open, a.Acceptance }));

    public static string Reciprocity(ReciprocityDistributionReport r) =>
        AnalyticsCsv.Table(["balance_from", "balance_to", "customers"], r.Bins.Select(b => new object?[] { b.From, b.To, b.Customers }));

    public static string Loyalty(LoyaltyOverviewReport r) =>
        AnalyticsCsv.Table(["tier", "members"], r.Tiers.Select(t => new object?[] { t.Tier, t.Members }));

    public static string Health(HealthReport r) =>
        AnalyticsCsv.Table(["rule", "subject", "firing", "observed", "threshold", "message"], r.Checks.Select(c => new object?[] { c.Rule, c.Subject, c.Firing ? "true" : "false", c.Observed, c.Threshold, c.Message }));

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
