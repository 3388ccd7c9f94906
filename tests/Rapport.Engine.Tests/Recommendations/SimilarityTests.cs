using Rapport.Engine.Recommendations;

namespace Rapport.Engine.Tests.Recommendations;

public sealed class SimilarityTests
{
    private const int A = 0, B = 1, C = 2;

    // u0 {A,B}, u1 {A,B,C}, u2 {B,C}, u3 {A}: occurrences A 3, B 3, C 2; together AB 2, AC 1, BC 2.
    internal static SparseRows Holders() => SparseRows.FromTriplets(4, 3, new (int, int, float)[]
    {
        (0, A, 1), (0, B, 1), (1, A, 1), (1, B, 1), (1, C, 1), (2, B, 1), (2, C, 1), (3, A, 1),
    });

    [Fact]
    public void Jaccard_HandCountedMatrix()
    {
        var (s, occurrences) = ItemSimilarity.Build(Holders(), SimilarityKind.Jaccard);

        Assert.Equal([3, 3, 2], occurrences);
        Assert.Equal(1f, s.Get(A, A));
        Assert.Equal(2f / 4, s.Get(A, B), 6);
        Assert.Equal(1f / 4, s.Get(A, C), 6);
        Assert.Equal(2f / 3, s.Get(B, C), 6);
        Assert.Equal(s.Get(C, B), s.Get(B, C));
    }

    [Fact]
    public void LiftCountsAndConfidence_HandCounted()
    {
        var lift = ItemSimilarity.Build(Holders(), SimilarityKind.Lift).Similarity;
        var counts = ItemSimilarity.Build(Holders(), SimilarityKind.Counts).Similarity;
        var confidence = ItemSimilarity.Build(Holders(), SimilarityKind.Confidence).Similarity;

        Assert.Equal(2f / 9, lift.Get(A, B), 6);
        Assert.Equal(1f / 6, lift.Get(A, C), 6);
        Assert.Equal(2f, counts.Get(B, C));
        Assert.Equal(3f, counts.Get(A, A));
        Assert.Equal(1f / 3, confidence.Get(A, C), 6); // P(C | A)
        Assert.Equal(1f / 2, confidence.Get(C, A), 6); // P(A | C): asymmetric
    }

    [Fact]
    public void MinCooccurrence_DropsRarePairsButKeepsTheDiagonal()
    {
        var s = ItemSimilarity.Build(Holders(), SimilarityKind.Jaccard, minCooccurrence: 2).Similarity;

        Assert.False(s.Contains(A, C));
        Assert.True(s.Contains(A, B));
        Assert.Equal(1f, s.Get(C, C));
    }

    [Fact]
    public void MaxNeighbours_KeepsTheStrongestAndTheDiagonal()
    {
        var s = ItemSimilarity.Build(Holders(), SimilarityKind.Jaccard, maxNeighbours: 1).Similarity;

        Assert.Equal([B, C], s.Columns(B).ToArray()); // itself, and B~C (2/3) beats B~A (1/2)
        Assert.Equal(1f, s.Get(B, B));
    }

    [Fact]
    public void Decayed_AnOldPairCountsItsOlderWeight()
    {
        // u0 had A recently (1) and B long ago (0.25); u1 had A and B recently.
        var holders = SparseRows.FromTriplets(2, 2, new (int, int, float)[] { (0, A, 1f), (0, B, 0.25f), (1, A, 1f), (1, B, 1f) });

        var s = ItemSimilarity.Build(holders, SimilarityKind.Jaccard, decayed: true).Similarity;

        // together = min(1, .25) + 1 = 1.25; mass A = 2, B = 1.25 → 1.25 / (2 + 1.25 − 1.25)
        Assert.Equal(1.25f / 2f, s.Get(A, B), 6);
        Assert.Equal(1f, ItemSimilarity.Build(holders, SimilarityKind.Jaccard).Similarity.Get(A, B));
    }

    [Fact]
    public void TopNeighbours_LeavesOutTheItemAndWhatTheGateRefuses()
    {
        var s = ItemSimilarity.Build(Holders(), SimilarityKind.Jaccard).Similarity;

        Assert.Equal([C, A], ItemSimilarity.TopNeighbours(s, B, 5).Select(x => x.Item));
        Assert.Equal([A], ItemSimilarity.TopNeighbours(s, B, 5, i => i != C).Select(x => x.Item));
    }

    [Fact]
    public void SparseRows_FromTripletsSumsDuplicatesAndTransposes()
    {
        var m = SparseRows.FromTriplets(2, 3, new (int, int, float)[] { (1, 2, 1), (0, 1, 2), (1, 2, 3), (1, 0, 4) });
        var t = m.Transpose();

        Assert.Equal([0, 2], m.Columns(1).ToArray());
        Assert.Equal(4f, m.Get(1, 2));
        Assert.Equal(3, m.NonZeros);
        Assert.Equal(4f, t.Get(2, 1));
        Assert.Equal(2f, t.Get(1, 0));
    }
}
