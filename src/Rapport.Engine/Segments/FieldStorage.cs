namespace Rapport.Engine.Segments;

/// <summary>
/// Where a <see cref="SegmentSet"/>'s snapshots keep their field values: consecutive ranges of a
/// few large shared arrays instead of one small array per customer. A full load gives a million
/// customers their fields within seconds; as a million small arrays they all survived the young
/// collections and were copied into the older generations, twice (every collection of that load
/// was a gen-1 one). Arrays this large live in the large object heap and are never copied.
/// <para>
/// Only for snapshots that live and die together (a full load: see
/// <see cref="SegmentSet.NewSnapshot"/>). One that is dropped early (its customer merged away or
/// erased) leaves its range unused until every snapshot of that array is gone, at the latest when
/// the next full load compiles a new set: a few hundred bytes per dropped customer. A snapshot
/// kept on its own (a decision's, cached) would hold a whole array for itself, so those get their
/// own array instead.
/// </para>
/// </summary>
internal sealed class FieldStorage(int width)
{
    /// <summary>Customers per shared array: large enough for the large object heap at any width.</summary>
    private const int CustomersPerArray = 4096;

    private readonly Lock _lock = new();
    private FieldValue[] _current = [];
    private int _next;

    /// <summary>A range of <c>width</c> missing values for one snapshot: the array and where the range starts.</summary>
    public (FieldValue[] Values, int Start) Rent()
    {
        lock (_lock)
        {
            if (_next + width > _current.Length)
            {
                _current = new FieldValue[width * CustomersPerArray];
                _next = 0;
            }

            var start = _next;
            _next += width;
            return (_current, start);
        }
    }
}
