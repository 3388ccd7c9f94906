using Rapport.Core.Recommendations;
using Rapport.Engine.Recommendations;

namespace Rapport.Core.Tests.Recommendations;

/// <summary>
/// The snapshot builds its matrices straight from chunked signals (no concatenated copy); these
/// check it against the plain path over one array, on data large enough to span many chunks.
/// </summary>
public sealed class RecommenderSnapshotTests
{
    [Fact]
    public void Build_FromChunkedSignals_EqualsSarTrainedOnAllInteractionsAtOnce()
    {
        var options = new RecommendationOptions { MaxNeighbours = 20 };
        var data = RandomData(views: 9_000, carts: 2_500, purchases: 3_000, seed: 11);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var snapshot = RecommenderSnapshot.Build(data, options, now);
        var all = data.Views.Concat(data.CartAdds).Concat(data.Purchases).ToArray();
        long latest = Math.Min(now.ToUnixTimeSeconds(), all.Max(x => x.Time));
        var plain = SarModel.Train(all, data.Users.Count, data.Items.Count, new SarOptions { HalfLifeDays = options.HalfLifeDays, MaxNeighbours = options.MaxNeighbours, Now = latest });

        Assert.Equal(plain.Affinity.Starts, snapshot.Sar.Affinity.Starts);
        Assert.Equal(plain.Affinity.ColumnIds, snapshot.Sar.Affinity.ColumnIds);
        Assert.Equal(plain.Affinity.Values, snapshot.Sar.Affinity.Values);
        Assert.Equal(plain.Similarity.ColumnIds, snapshot.Sar.Similarity.ColumnIds);
        Assert.Equal(plain.Similarity.Values, snapshot.Sar.Similarity.Values);
        Assert.Equal(plain.Popularity, snapshot.Sar.Popularity);
        Assert.Equal(all.Length, snapshot.Info.Interactions);
    }

    [Fact]
    public void Build_CoViewAndBought_HoldEveryUserItemPairOfTheirSignal()
    {
        var data = RandomData(views: 6_000, carts: 0, purchases: 2_100, seed: 5);
        var snapshot = RecommenderSnapshot.Build(data, new RecommendationOptions(), DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        var viewedPairs = data.Views.Select(x => (x.User, x.Item)).ToHashSet();
        var boughtPairs = data.Purchases.Select(x => (x.User, x.Item)).ToHashSet();
        var viewedItems = viewedPairs.Select(p => p.Item).ToHashSet();

        Assert.Equal(boughtPairs.Count, snapshot.Bought.NonZeros);
        Assert.All(boughtPairs, p => Assert.True(snapshot.Bought.Contains(p.User, p.Item)));
        Assert.All(viewedItems, i => Assert.True(snapshot.CoView.Contains(i, i))); // every viewed item is its own neighbour
    }

    private static RecommendationData RandomData(int views, int carts, int purchases, int seed)
    {
        var random = new Random(seed);
        var data = new RecommendationData();
        for (int i = 0; i < 120; i++)
        {
            data.Item($"SKU-{i:D3}");
        }

        for (int u = 0; u < 700; u++)
        {
            data.Users.Add(u + 1_000L);
        }

        Interaction Next(float weight) => new(random.Next(700), random.Next(120), 1_700_000_000L - random.Next(200 * 86_400), weight);
        for (int n = 0; n < views; n++)
        {
            data.Views.Add(Next(1));
        }

        for (int n = 0; n < carts; n++)
        {
            data.CartAdds.Add(Next(2));
        }

        for (int n = 0; n < purchases; n++)
        {
            data.Purchases.Add(Next(3));
        }

        return data;
    }
}
