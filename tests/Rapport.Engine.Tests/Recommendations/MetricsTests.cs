using Rapport.Engine.Recommendations;

namespace Rapport.Engine.Tests.Recommendations;

public sealed class MetricsTests
{
    [Fact]
    public void Metrics_HandComputedExample()
    {
        // User 0: recommended [1, 2, 3], relevant {1, 3}. User 1: no relevant items (skipped).
        var scores = RankingMetrics.Compute([[1, 2, 3], [4]], [new HashSet<int> { 1, 3 }, new HashSet<int>()], k: 3, catalogueSize: 8);

        Assert.Equal(1, scores.Users);
        Assert.Equal(2.0 / 3, scores.Precision, 9);
        Assert.Equal(1.0, scores.Recall, 9);
        Assert.Equal((1 + (1 / Math.Log2(4))) / (1 + (1 / Math.Log2(3))), scores.Ndcg, 9);
        Assert.Equal(((1.0 / 1) + (2.0 / 3)) / 2, scores.Map, 9);
        Assert.Equal(3.0 / 8, scores.Coverage, 9); // item 4 went to a skipped user
    }

    [Fact]
    public void Map_DividesByAllRelevantItems()
    {
        // One hit at rank 1 of 4 relevant items: AP = 1/4 (Microsoft Recommenders' definition).
        var scores = RankingMetrics.Compute([[7, 8]], [new HashSet<int> { 7, 10, 11, 12 }], k: 2, catalogueSize: 20);

        Assert.Equal(0.25, scores.Map, 9);
        Assert.Equal(0.5, scores.Precision, 9);
    }

    [Fact]
    public void Stratified_SplitsEachUserInProportionAndIsSeeded()
    {
        var data = Enumerable.Range(0, 40).Select(n => new Interaction(n % 2, n, n)).ToArray();

        var (train, test) = InteractionSplit.Stratified(data, 0.75, seed: 7);
        var again = InteractionSplit.Stratified(data, 0.75, seed: 7);

        Assert.Equal(15, train.Count(x => x.User == 0));
        Assert.Equal(5, test.Count(x => x.User == 1));
        Assert.Equal(train, again.Train);
        Assert.NotEqual(train.Where(x => x.User == 0).Select(x => x.Item), data.Where(x => x.User == 0).Take(15).Select(x => x.Item));
    }

    [Fact]
    public void Chronological_PutsEachUsersLatestInTheTest()
    {
        var data = new Interaction[] { new(0, 1, 30), new(0, 2, 10), new(0, 3, 20), new(0, 4, 40), new(1, 5, 5) };

        var (train, test) = InteractionSplit.Chronological(data, 0.5);

        Assert.Equal([2, 3, 5], train.Select(x => x.Item).Order());
        Assert.Equal([1, 4], test.Select(x => x.Item).Order());
    }

    [Fact]
    public void TimeCut_SplitsAtTheDate()
    {
        var (train, test) = InteractionSplit.TimeCut([new(0, 1, 10), new(0, 2, 20), new(1, 3, 30)], 20);

        Assert.Equal([1], train.Select(x => x.Item));
        Assert.Equal([2, 3], test.Select(x => x.Item));
    }

    [Fact]
    public void Evaluation_SarBeatsPopularityWhenTastesAreClustered()
    {
        var data = Synthetic.Clustered(users: 300, clusters: 6, itemsPerCluster: 15, perUser: 10, seed: 3);

        var (train, test) = InteractionSplit.Stratified(data, 0.75, seed: 42);
        var result = Evaluation.Run(train, test, 300, 6 * 15, new SarOptions(), k: 5);

        Assert.True(result.Sar.Precision > 2 * result.Popularity.Precision, $"SAR {result.Sar.Precision:F3} vs popularity {result.Popularity.Precision:F3}");
        Assert.True(result.Sar.Ndcg > result.Popularity.Ndcg);
        Assert.True(result.Sar.Coverage > result.Popularity.Coverage);
    }
}

/// <summary>Users who each stay inside one cluster of items, with a few globally popular items mixed in.</summary>
internal static class Synthetic
{
    public static Interaction[] Clustered(int users, int clusters, int itemsPerCluster, int perUser, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Interaction>();
        for (int u = 0; u < users; u++)
        {
            int cluster = u % clusters;
            var items = Enumerable.Range(cluster * itemsPerCluster, itemsPerCluster).OrderBy(_ => random.Next()).Take(perUser - 1).ToList();
            items.Add(random.Next(3)); // a popular item from cluster 0's first three
            for (int n = 0; n < items.Count; n++)
            {
                rows.Add(new Interaction(u, items[n], 1_700_000_000 + (n * 3600) + u));
            }
        }

        return rows.DistinctBy(r => (r.User, r.Item)).ToArray();
    }
}
