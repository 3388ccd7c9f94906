using Rapport.Engine.Recommendations;

namespace Rapport.Engine.Tests.Recommendations;

public sealed class ChunkedListTests
{
    [Fact]
    public void AcrossManyChunks_KeepsEveryItemInOrder_AndEachChunkStaysASmallObject()
    {
        var list = new ChunkedList<Interaction>();
        const int count = 10_000; // 2,048 interactions (24 bytes) per chunk: five chunks, the last one partial
        for (int n = 0; n < count; n++)
        {
            list.Add(new Interaction(n, n % 7, n * 10L, n));
        }

        var chunks = list.Chunks().ToList();
        var all = list.ToArray();
        var seen = new List<int>();
        list.ForEach(x => seen.Add(x.User));

        Assert.Equal(count, list.Count);
        Assert.Equal(5, chunks.Count);
        Assert.Equal(count, chunks.Sum(c => c.Length));
        Assert.All(chunks, c => Assert.True(c.Length * 24 <= 64 * 1024));
        Assert.Equal(Enumerable.Range(0, count), all.Select(x => x.User));
        Assert.Equal(Enumerable.Range(0, count), seen);
        Assert.Equal(Enumerable.Range(0, count), list.Select(x => x.User));
        Assert.Equal(new Interaction(9_999, 9_999 % 7, 99_990, 9_999), list[9_999]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[count]);
    }

    [Fact]
    public void Empty_HasNoChunks()
    {
        var list = new ChunkedList<int>();

        Assert.Empty(list.Chunks());
        Assert.Empty(list.ToArray());
        Assert.Empty(list);
    }

    [Fact]
    public void SparseRows_FromEmitter_EqualsFromTriplets_OnRandomInput()
    {
        var random = new Random(7);
        var triplets = Enumerable.Range(0, 5_000).Select(_ => (random.Next(300), random.Next(40), (float)random.NextDouble())).ToArray();

        var fromArray = SparseRows.FromTriplets(300, 40, triplets, Math.Max);
        var fromEmitter = SparseRows.FromTriplets(300, 40, sink =>
        {
            foreach (var (r, c, v) in triplets)
            {
                sink(r, c, v);
            }
        }, Math.Max);

        Assert.Equal(fromArray.Starts, fromEmitter.Starts);
        Assert.Equal(fromArray.ColumnIds, fromEmitter.ColumnIds);
        Assert.Equal(fromArray.Values, fromEmitter.Values);
        Assert.True(fromEmitter.NonZeros < triplets.Length); // duplicates were merged
    }

    [Fact]
    public void SparseRows_FromEmitter_ThatEmitsDifferentlyTheSecondTime_IsRefused()
    {
        int calls = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => SparseRows.FromTriplets(2, 2, sink =>
        {
            sink(0, 0, 1);
            if (calls++ == 0)
            {
                sink(1, 1, 1);
            }
        }));

        Assert.Contains("second time", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseRows.FromTriplets(2, 2, sink => sink(2, 0, 1)));
    }
}
