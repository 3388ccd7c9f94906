namespace Rapport.Engine.Recommendations;

/// <summary>An item and its score, best first in results.</summary>
public readonly record struct ScoredItem(int Item, float Score);

/// <summary>
/// The k best candidates with a min-heap of size k: O(n log k), no sort of all candidates.
/// Ties go to the lower item id so results are deterministic.
/// </summary>
public sealed class TopK
{
    private readonly ScoredItem[] _heap;
    private int _count;

    public TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _heap = new ScoredItem[k];
    }

    public void Offer(int item, float score)
    {
        var candidate = new ScoredItem(item, score);
        if (_count < _heap.Length)
        {
            _heap[_count] = candidate;
            SiftUp(_count++);
        }
        else if (Better(candidate, _heap[0]))
        {
            _heap[0] = candidate;
            SiftDown(0);
        }
    }

    /// <summary>The kept items, best first.</summary>
    public ScoredItem[] Result()
    {
        var result = _heap.AsSpan(0, _count).ToArray();
        Array.Sort(result, static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return result;
    }

    private static bool Better(ScoredItem a, ScoredItem b) => a.Score > b.Score || (a.Score == b.Score && a.Item < b.Item);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Better(_heap[parent], _heap[i]))
            {
                break;
            }

            (_heap[parent], _heap[i]) = (_heap[i], _heap[parent]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = (2 * i) + 1, right = left + 1, worst = i;
            if (left < _count && Better(_heap[worst], _heap[left]))
            {
                worst = left;
            }

            if (right < _count && Better(_heap[worst], _heap[right]))
            {
                worst = right;
            }

            if (worst == i)
            {
                return;
            }

            (_heap[worst], _heap[i]) = (_heap[i], _heap[worst]);
            i = worst;
        }
    }
}
