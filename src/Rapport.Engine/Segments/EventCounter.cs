namespace Rapport.Engine.Segments;

/// <summary>
/// A customer's count of one kind of event per UTC day, oldest first, kept only as far back as
/// the longest window that uses it. 8 bytes per day with events.
/// </summary>
public sealed class EventCounter
{
    private Bucket[] _buckets = new Bucket[2];
    private int _length;

    public bool IsEmpty => _length == 0;

    public int Days => _length;

    public void Add(int day, int count = 1)
    {
        // Events mostly arrive in time order: the common case is the last bucket or a new one after it.
        if (_length > 0 && _buckets[_length - 1].Day == day)
        {
            _buckets[_length - 1].Count += count;
            return;
        }

        var at = _length;
        while (at > 0 && _buckets[at - 1].Day > day)
        {
            at--;
        }

        if (at > 0 && _buckets[at - 1].Day == day)
        {
            _buckets[at - 1].Count += count;
            return;
        }

        if (_length == _buckets.Length)
        {
            Array.Resize(ref _buckets, _length * 2);
        }

        Array.Copy(_buckets, at, _buckets, at + 1, _length - at);
        _buckets[at] = new Bucket(day, count);
        _length++;
    }

    /// <summary>Events on <paramref name="firstDay"/> or later.</summary>
    public long CountSince(int firstDay)
    {
        long sum = 0;
        for (var i = _length - 1; i >= 0 && _buckets[i].Day >= firstDay; i--)
        {
            sum += _buckets[i].Count;
        }

        return sum;
    }

    /// <summary>The first day with events on or after <paramref name="day"/>, or null.</summary>
    public int? FirstDayFrom(int day)
    {
        for (var i = 0; i < _length; i++)
        {
            if (_buckets[i].Day >= day)
            {
                return _buckets[i].Day;
            }
        }

        return null;
    }

    /// <summary>Forgets days before <paramref name="firstDay"/>; no window reaches them any more.</summary>
    public void DropBefore(int firstDay)
    {
        var drop = 0;
        while (drop < _length && _buckets[drop].Day < firstDay)
        {
            drop++;
        }

        if (drop > 0)
        {
            Array.Copy(_buckets, drop, _buckets, 0, _length - drop);
            _length -= drop;
        }
    }

    private struct Bucket(int day, int count)
    {
        public int Day = day;
        public int Count = count;
    }
}
