using System.Collections;
using System.Runtime.CompilerServices;

namespace Rapport.Engine.Recommendations;

/// <summary>
/// An append-only list kept in fixed chunks of at most 64 KB, below the runtime's 85,000-byte
/// large-object threshold. Why: a retrain reads millions of interactions; a <see cref="List{T}"/>
/// grows by doubling into ever larger arrays on the large-object heap, which the GC does not
/// compact by default, so each retrain's slightly different sizes left holes and the server's
/// memory ratcheted up (docs/performance.md, "Session 10: memory at 1M"). Chunks are ordinary
/// small objects: growing never copies, and the GC compacts them like any other.
/// </summary>
public sealed class ChunkedList<T> : IReadOnlyList<T>
    where T : struct
{
    private static readonly int Shift = ChunkShift();
    private static readonly int ChunkLength = 1 << Shift;

    private readonly List<T[]> _chunks = [];

    public int Count { get; private set; }

    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _chunks[index >> Shift][index & (ChunkLength - 1)];
        }
    }

    public void Add(T item)
    {
        int at = Count & (ChunkLength - 1);
        if (at == 0)
        {
            _chunks.Add(new T[ChunkLength]);
        }

        _chunks[^1][at] = item;
        Count++;
    }

    /// <summary>The items chunk by chunk, in order: loop over each chunk's span for speed.</summary>
    public IEnumerable<ReadOnlyMemory<T>> Chunks()
    {
        for (int c = 0; c < _chunks.Count; c++)
        {
            int length = Math.Min(ChunkLength, Count - (c << Shift));
            yield return _chunks[c].AsMemory(0, length);
        }
    }

    /// <summary>Calls <paramref name="action"/> on every item in order.</summary>
    public void ForEach(Action<T> action)
    {
        foreach (var chunk in Chunks())
        {
            foreach (var x in chunk.Span)
            {
                action(x);
            }
        }
    }

    /// <summary>All items in one array of exactly <see cref="Count"/> (one allocation, no growth).</summary>
    public T[] ToArray()
    {
        var all = new T[Count];
        int at = 0;
        foreach (var chunk in Chunks())
        {
            chunk.Span.CopyTo(all.AsSpan(at));
            at += chunk.Length;
        }

        return all;
    }

    public IEnumerator<T> GetEnumerator()
    {
        foreach (var chunk in Chunks())
        {
            for (int n = 0; n < chunk.Length; n++)
            {
                yield return chunk.Span[n];
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>log2 of the largest power-of-two item count whose array stays within 64 KB.</summary>
    private static int ChunkShift()
    {
        int shift = 0;
        while ((2L << shift) * Unsafe.SizeOf<T>() <= 64 * 1024)
        {
            shift++;
        }

        return shift;
    }
}
