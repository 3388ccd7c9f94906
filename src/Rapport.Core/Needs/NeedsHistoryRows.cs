namespace Rapport.Core.Needs;

/// <summary>Rows of many customers, each tagged with its customer's slot, in the order read.</summary>
internal sealed class NeedsHistoryRows<T>
{
    public T[] Items = new T[1024];
    private int[] _slots = new int[1024];

    public int Count { get; private set; }

    public void Clear() => Count = 0; // the items are overwritten as the next range is read

    public void Add(int slot, T item)
    {
        if (Count == Items.Length)
        {
            Array.Resize(ref Items, Count * 2);
            Array.Resize(ref _slots, Count * 2);
        }

        Items[Count] = item;
        _slots[Count++] = slot;
    }

    /// <summary>The rows grouped by slot (a stable counting sort); customer s's rows are [start[s], start[s + 1]).</summary>
    public (T[] Items, int[] Start) ByCustomer(int customers)
    {
        var start = new int[customers + 1];
        var grouped = true;
        for (var i = 0; i < Count; i++)
        {
            start[_slots[i] + 1]++;
            grouped &= i == 0 || _slots[i - 1] <= _slots[i];
        }

        for (var s = 0; s < customers; s++)
        {
            start[s + 1] += start[s];
        }

        if (grouped)
        {
            return (Items, start); // already grouped (SQLite's range scans): nothing to move
        }

        var next = start[..^1];
        var items = new T[Count];
        for (var i = 0; i < Count; i++)
        {
            items[next[_slots[i]]++] = Items[i];
        }

        return (items, start);
    }
}
