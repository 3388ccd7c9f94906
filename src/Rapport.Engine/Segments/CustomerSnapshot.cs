namespace Rapport.Engine.Segments;

/// <summary>
/// What segment evaluation knows about one customer: field values and event counters in the
/// slots of the <see cref="SegmentSet"/> that created it, plus which of its segments the customer
/// is in now. Storage is taken on first write, so a customer with no data costs little; the
/// snapshots of a full load keep their field values in ranges of arrays they share
/// (<see cref="FieldStorage"/>), others in an array of their own.
/// </summary>
public sealed class CustomerSnapshot
{
    private readonly SegmentSet _set;
    private FieldValue[]? _fields;
    private int _fieldsStart;
    private EventCounter?[]? _counters;
    private ulong[]? _members;

    internal CustomerSnapshot(SegmentSet set, long customerId, bool sharedFields)
    {
        _set = set;
        CustomerId = customerId;
        SharesFieldStorage = sharedFields;
    }

    public long CustomerId { get; }

    /// <summary>Whether its field values live in a range of a shared array (a full load's snapshot) rather than an array of its own.</summary>
    public bool SharesFieldStorage { get; }

    public SegmentSet Set => _set;

    public FieldValue Field(int slot) => _fields is null ? default : _fields[_fieldsStart + slot];

    public void SetField(int slot, FieldValue value)
    {
        if (_fields is null)
        {
            if (!value.HasValue)
            {
                return;
            }

            (_fields, _fieldsStart) = SharesFieldStorage ? _set.FieldStorage.Rent() : (new FieldValue[_set.Fields.Count], 0);
        }

        _fields[_fieldsStart + slot] = value;
    }

    /// <summary>Sets every field of one family to missing (before reloading it).</summary>
    public void ClearFields(string family)
    {
        if (_fields is null)
        {
            return;
        }

        for (var i = 0; i < _set.Fields.Count; i++)
        {
            if (_set.Fields[i].Family == family)
            {
                _fields[_fieldsStart + i] = default;
            }
        }
    }

    public long CountSince(int selector, int firstDay) => _counters?[selector] is { } c ? c.CountSince(firstDay) : 0;

    internal EventCounter? Counter(int selector) => _counters?[selector];

    internal EventCounter CounterForWrite(int selector)
    {
        _counters ??= new EventCounter?[_set.Selectors.Count];
        return _counters[selector] ??= new EventCounter();
    }

    public bool IsMember(int segment) => _members is not null && (_members[segment >> 6] & (1UL << (segment & 63))) != 0;

    public void SetMember(int segment, bool member)
    {
        if (_members is null)
        {
            if (!member)
            {
                return;
            }

            _members = new ulong[(_set.Segments.Count + 63) >> 6];
        }

        if (member)
        {
            _members[segment >> 6] |= 1UL << (segment & 63);
        }
        else
        {
            _members[segment >> 6] &= ~(1UL << (segment & 63));
        }
    }
}

/// <summary>What happened to the events counted for a customer: an event as the pipeline stored it.</summary>
/// <param name="Properties">The event's properties; only read when a selector filters on them.</param>
/// <param name="Values">
/// Instead of <paramref name="Properties"/>, for a bulk load: the filtered properties read into
/// reused arrays (see <see cref="PropertyValues"/>); when set, it is what selectors match.
/// </param>
public readonly record struct BehaviourEvent(
    string Type, string? Name, string Channel, long OccurredAtMs, System.Text.Json.Nodes.JsonObject? Properties, PropertyValues? Values = null)
{
    public int Day => SegmentSet.DayOf(OccurredAtMs);
}

/// <summary>A customer entered (or left) the segment at <see cref="SegmentIndex"/> of its set.</summary>
public readonly record struct MembershipChange(long CustomerId, int SegmentIndex, bool Entered);
