using Rapport.Engine.Value;

namespace Rapport.Engine.Tests.Value;

public sealed class ParetoTests
{
    [Fact]
    public void Analyse_TenCustomers_TopTwoBringTheirShare()
    {
        long[] revenue = [5, 100, 2, 50, 20, 10, 5, 4, 3, 1]; // total 200

        var p = Pareto.Analyse(revenue, top: 0.2, points: 11);

        Assert.Equal(10, p.Customers);
        Assert.Equal(200, p.Total);
        Assert.Equal(0.75, p.ShareOfTop!.Value, 12); // (100 + 50) / 200
        Assert.Equal(11, p.Curve.Count);
        Assert.Equal(0.0, p.Curve[0].ValueShare);
        Assert.Equal(0.5, p.Curve[1].ValueShare!.Value, 12); // top 10% = 1 customer
        Assert.Equal(0.85, p.Curve[3].ValueShare!.Value, 12); // top 30% = 100 + 50 + 20
        Assert.Equal(1.0, p.Curve[10].ValueShare);
    }

    [Fact]
    public void Analyse_LossMakingTail_MarginShareAboveOne()
    {
        long[] margin = [80, 40, -5, -5, -10]; // total 100; top 20% = 1 customer

        var p = Pareto.Analyse(margin);

        Assert.Equal(0.8, p.ShareOfTop!.Value, 12);
        var top40 = Pareto.Analyse(margin, top: 0.4);
        Assert.Equal(1.2, top40.ShareOfTop!.Value, 12);
    }

    [Fact]
    public void Analyse_NonPositiveTotal_SharesAreNull()
    {
        var p = Pareto.Analyse([-3L, 1L]);

        Assert.Null(p.ShareOfTop);
        Assert.All(p.Curve, c => Assert.Null(c.ValueShare));
    }

    [Fact]
    public void Analyse_Empty_HasNoShares()
    {
        var p = Pareto.Analyse([]);

        Assert.Equal(0, p.Customers);
        Assert.Null(p.ShareOfTop);
    }

    [Fact]
    public void Analyse_TopOutsideZeroToOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pareto.Analyse([1L], top: 1.5));
    }
}
