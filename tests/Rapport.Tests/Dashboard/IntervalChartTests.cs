using Rapport.Dashboard.Charts;

namespace Rapport.Tests.Dashboard;

public sealed class IntervalChartTests
{
    [Fact]
    public void Render_LongActionName_CutToTheLabelColumnAndWholeInItsTooltip()
    {
        const string name = "Thank-you gift for platinum customers"; // the demo's: its start fell off the chart's left edge
        var svg = IntervalChart.Render("uplift", "Uplift", [(name, 0.05, -0.02, 0.12), ("Win-back voucher", -0.01, -0.05, 0.03)]).Value!;

        Assert.Contains("<g><title>Thank-you gift for platinum customers</title><text", svg, StringComparison.Ordinal);
        Assert.Contains(">Thank-you gift for platinu…</text></g>", svg, StringComparison.Ordinal);
        Assert.Contains(">Win-back voucher</text></g>", svg, StringComparison.Ordinal);
        Assert.Equal(IntervalChart.MaxLabel, "Thank-you gift for platinu…".Length);
    }
}
