using Rapport.Engine.Value;

namespace Rapport.Engine.Tests.Value;

public sealed class RfmTests
{
    [Fact]
    public void Score_TenDistinctValues_TwoCustomersPerQuintile()
    {
        long[] values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
        var scores = new byte[values.Length];

        Rfm.Score(values, scores);

        // 1,2 → 1; 3,4 → 2; 5,6 → 3; 7,8 → 4; 9,10 → 5
        Assert.Equal([5, 1, 5, 1, 4, 2, 4, 2, 3, 3], scores.Select(s => (int)s));
    }

    [Fact]
    public void Score_MostCustomersTied_TiesShareTheLowestScoreAndNoneIsSplit()
    {
        // Six of ten bought once: they are all "1"; 2 orders has 60% below → 1 + ⌊5·0.6⌋ = 4.
        long[] orders = [1, 1, 1, 1, 1, 1, 2, 2, 3, 7];
        var scores = new byte[orders.Length];

        Rfm.Score(orders, scores);

        Assert.Equal([1, 1, 1, 1, 1, 1, 4, 4, 5, 5], scores.Select(s => (int)s));
    }

    [Fact]
    public void Score_Deciles_UsesTenBuckets()
    {
        var values = Enumerable.Range(1, 20).Select(i => (long)i).ToArray();
        var scores = new byte[values.Length];

        Rfm.Score(values, scores, buckets: 10);

        Assert.Equal(1, scores[0]);
        Assert.Equal(1, scores[1]);
        Assert.Equal(2, scores[2]);
        Assert.Equal(10, scores[19]);
    }

    [Fact]
    public void Score_OneBucket_IsRefused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Rfm.Score([1L, 2L], new byte[2], buckets: 1));
        Assert.Contains("quintiles", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentiles_Rank_TopIsOneAndTiesShareTheHigherRank()
    {
        long[] values = [5, 1, 3, 3];
        var p = new double[4];

        Percentiles.Rank(values, p);

        Assert.Equal([1.0, 0.25, 0.75, 0.75], p);
    }
}
