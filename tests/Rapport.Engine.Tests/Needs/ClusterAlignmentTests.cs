using Rapport.Engine.Needs;

namespace Rapport.Engine.Tests.Needs;

public sealed class ClusterAlignmentTests
{
    [Fact]
    public void Align_SamePartitionNumberedOtherwise_TakesThePreviousNumbers()
    {
        int[] previous = [0, 0, 1, 1, 2, 2];
        int[] fit = [2, 2, 0, 0, 1, 1];

        var number = ClusterAlignment.Align(previous, fit, 3);

        Assert.Equal([1, 2, 0], number);
        Assert.Equal(previous, fit.Select(a => number[a]));
    }

    [Fact]
    public void Align_MostCustomersDecide_NewClusterTakesTheFreeNumber()
    {
        // Fit cluster 0 took most of previous 1, fit 1 most of previous 0; fit 2 is new.
        int[] previous = [0, 0, 0, 1, 1, 1, 1, -1, -1];
        int[] fit = [1, 1, 0, 0, 0, 0, 2, 2, 2];

        Assert.Equal([1, 0, 2], ClusterAlignment.Align(previous, fit, 3));
    }

    [Fact]
    public void Align_NothingBefore_KeepsTheFitsNumbers()
    {
        Assert.Equal([0, 1, 2], ClusterAlignment.Align([-1, -1, -1], [2, 0, 1], 3));
    }

    [Fact]
    public void Align_FewerClustersThanBefore_NumbersStayBelowK()
    {
        // Previous model had 4 clusters; numbers 2 and 3 cannot be reused with k = 2.
        int[] previous = [3, 3, 3, 2, 2, 1];
        int[] fit = [0, 0, 0, 1, 1, 1];

        var number = ClusterAlignment.Align(previous, fit, 2);

        Assert.Equal([0, 1], number.Order());
        Assert.Equal(1, number[1]); // fit 1 holds the one customer of previous 1
    }
}
