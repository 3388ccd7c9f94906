using Rapport.Engine.Recommendations;

namespace Rapport.Engine.Tests.Recommendations;

public sealed class SarModelTests
{
    private const long Day = 86_400;
    private const long Now = 1_700_000_000;
    private const int A = 0, B = 1, C = 2;

    private static Interaction[] FourUsers() =>
    [
        new(0, A, Now), new(0, B, Now), new(1, A, Now), new(1, B, Now), new(1, C, Now), new(2, B, Now), new(2, C, Now), new(3, A, Now),
    ];

    [Fact]
    public void Recommend_IsAffinityTimesSimilarity()
    {
        var model = SarModel.Train(FourUsers(), 4, 3, new SarOptions { HalfLifeDays = 0 });

        // u3 has only A (affinity 1): scores are row A of the Jaccard matrix, A itself seen.
        var top = model.Recommend(3, 5, excludeSeen: true);

        Assert.Equal([B, C], top.Select(t => t.Item));
        Assert.Equal(0.5f, top[0].Score, 6);
        Assert.Equal(0.25f, top[1].Score, 6);
    }

    [Fact]
    public void Recommend_WithoutExcludeSeen_KeepsSeenItemsScoredThroughTheDiagonal()
    {
        var model = SarModel.Train(FourUsers(), 4, 3, new SarOptions { HalfLifeDays = 0 });

        var top = model.Recommend(3, 5, excludeSeen: false);

        Assert.Equal(A, top[0].Item);
        Assert.Equal(1f, top[0].Score, 6);
    }

    [Fact]
    public void Recommend_SumsOverTheUsersItems()
    {
        var model = SarModel.Train(FourUsers(), 4, 3, new SarOptions { HalfLifeDays = 0 });

        // u0 has A and B (affinity 1 each): C scores S(A,C) + S(B,C) = 1/4 + 2/3.
        var top = model.Recommend(0, 5, excludeSeen: true);

        Assert.Equal(C, Assert.Single(top).Item);
        Assert.Equal((1f / 4) + (2f / 3), top[0].Score, 5);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(30, 0.5)]
    [InlineData(60, 0.25)]
    [InlineData(-5, 1.0)] // a future time counts as now
    public void Decay_HalvesEveryHalfLife(int daysAgo, double expected) =>
        Assert.Equal(expected, SarModel.Decay(Now - (daysAgo * Day), Now, 30), 6);

    [Fact]
    public void Affinity_SumsDecayedWeightsPerUserItem()
    {
        var affinity = SarModel.UserAffinity([new(0, A, Now, 1), new(0, A, Now - (30 * Day), 2), new(0, B, Now - (60 * Day), 4)], 1, 2, Now, 30);

        Assert.Equal(2f, affinity.Get(0, A), 5); // 1 + 2 × ½
        Assert.Equal(1f, affinity.Get(0, B), 5); // 4 × ¼
    }

    [Fact]
    public void Train_DecaysToTheLatestInteractionByDefault()
    {
        var model = SarModel.Train([new(0, A, Now - (30 * Day)), new(1, B, Now)], 2, 2, new SarOptions());

        Assert.Equal(Now, model.ReferenceTime);
        Assert.Equal(0.5f, model.Affinity.Get(0, A), 5);
    }

    [Fact]
    public void Popular_RecentInterestBeatsOldBulk()
    {
        // A: three users 90 days ago (3 × 1/8); B: one user today (1).
        var model = SarModel.Train([new(0, A, Now - (90 * Day)), new(1, A, Now - (90 * Day)), new(2, A, Now - (90 * Day)), new(3, B, Now)], 4, 2, new SarOptions());

        Assert.Equal([B, A], model.Popular(5).Select(p => p.Item));
        Assert.Equal([A], model.Popular(5, i => i != B).Select(p => p.Item));
    }

    [Fact]
    public void Recommend_HonoursTheGate()
    {
        var model = SarModel.Train(FourUsers(), 4, 3, new SarOptions { HalfLifeDays = 0 });

        var top = model.Recommend(3, 5, excludeSeen: true, allowed: i => i != B);

        Assert.Equal([C], top.Select(t => t.Item));
    }

    [Fact]
    public void TopK_TiesGoToTheLowerIdAndKCanExceedTheCandidates()
    {
        var top = new TopK(3);
        foreach (var (item, score) in new[] { (5, 1f), (2, 1f), (9, 3f), (1, 0.5f), (7, 2f) })
        {
            top.Offer(item, score);
        }

        Assert.Equal([9, 7, 2], top.Result().Select(x => x.Item));
        var few = new TopK(10);
        few.Offer(4, 1);
        Assert.Single(few.Result());
    }
}
