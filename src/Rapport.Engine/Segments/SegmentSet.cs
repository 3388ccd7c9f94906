namespace Rapport.Engine.Segments;

/// <summary>A field a set of segments reads, at a slot of every <see cref="CustomerSnapshot"/> of the set.</summary>
public sealed record FieldSlot(string Path, string Family, string Key, FieldType Type);

/// <summary>
/// Segments compiled together so they share one snapshot layout: each distinct field gets a
/// slot, each distinct event selector a counter. Keeping memberships current is then, per
/// event, <see cref="Apply"/> (match the selectors, bump a day counter) and, per customer
/// touched, <see cref="Evaluate"/> (every segment, compared with the current membership).
/// Nothing here allocates per event except a counter's first buckets.
/// </summary>
public sealed class SegmentSet
{
    private const long MillisecondsPerDay = 86_400_000;

    private readonly Condition[] _conditions;
    private readonly CompiledSelector[] _selectors;
    private readonly Dictionary<string, int> _fieldSlots;
    private readonly Dictionary<string, int[]> _selectorsByName;
    private readonly int[] _selectorsWithoutName;
    private readonly HashSet<string> _reserved = new(SegmentValidator.ReservedEventNames, StringComparer.Ordinal);

    private SegmentSet(IReadOnlyList<SegmentDefinition> segments, SegmentFields catalog)
    {
        Segments = segments;
        var fields = new List<FieldSlot>();
        _fieldSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        var selectorKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var selectorDefs = new List<(EventSelector Selector, SortedSet<int> Windows)>();

        _conditions = segments.Select(s => Compile(s.Root)).ToArray();
        Fields = fields;
        FieldStorage = new FieldStorage(fields.Count);
        _selectors = selectorDefs.Select(d => new CompiledSelector(d.Selector, d.Windows.ToArray())).ToArray();
        _selectorsByName = _selectors
            .Select((s, i) => (s.Selector.Name, Index: i))
            .Where(x => x.Name is not null)
            .GroupBy(x => x.Name!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Index).ToArray(), StringComparer.Ordinal);
        _selectorsWithoutName = _selectors.Select((s, i) => (s, i)).Where(x => x.s.Selector.Name is null).Select(x => x.i).ToArray();

        Condition Compile(SegmentNode node) => node switch
        {
            AndNode and => new AndCondition(and.Items.Select(Compile).ToArray()),
            OrNode or => new OrCondition(or.Items.Select(Compile).ToArray()),
            NotNode not => new NotCondition(Compile(not.Item)),
            FieldNode f => CompileField(f),
            EventNode e => new CountCondition(SelectorSlot(e.Selector, (int)e.LastDays!.Value), (int)e.LastDays.Value, e.Op, (long)e.Count),
            _ => throw new ArgumentException($"Unknown node {node.GetType().Name}.", nameof(node)),
        };

        Condition CompileField(FieldNode f)
        {
            var slot = FieldSlotOf(f.Field);
            if (f.Op == CompareOp.Exists)
            {
                return new ExistsCondition(slot);
            }

            var numeric = f.Values[0].Kind == LiteralKind.Number;
            if (f.Op == CompareOp.In)
            {
                return numeric
                    ? new NumberInCondition(slot, f.Values.Select(v => v.Number).ToArray())
                    : new TextInCondition(slot, f.Values.Select(TextOf).ToArray());
            }

            return numeric ? new NumberCondition(slot, f.Op, f.Values[0].Number) : new TextCondition(slot, f.Op == CompareOp.Eq, TextOf(f.Values[0]));
        }

        static string TextOf(Literal l) => l.Kind == LiteralKind.Boolean ? (l.Boolean ? "true" : "false") : l.Text!;

        int FieldSlotOf(string path)
        {
            if (!_fieldSlots.TryGetValue(path, out var slot))
            {
                var spec = catalog.Resolve(path, out var error) ?? throw new ArgumentException(error, nameof(segments));
                var (family, key) = SegmentFields.Split(path);
                slot = fields.Count;
                fields.Add(new FieldSlot(path, family, key, spec.Type));
                _fieldSlots[path] = slot;
            }

            return slot;
        }

        int SelectorSlot(EventSelector selector, int days)
        {
            if (!selectorKeys.TryGetValue(selector.Key, out var slot))
            {
                slot = selectorDefs.Count;
                selectorDefs.Add((selector, []));
                selectorKeys[selector.Key] = slot;
            }

            selectorDefs[slot].Windows.Add(days);
            return slot;
        }
    }

    public static SegmentSet Empty { get; } = Compile([]);

    public IReadOnlyList<SegmentDefinition> Segments { get; }

    public IReadOnlyList<FieldSlot> Fields { get; }

    /// <summary>Where this set's snapshots keep their field values.</summary>
    internal FieldStorage FieldStorage { get; }

    public IReadOnlyList<CompiledSelector> Selectors => _selectors;

    /// <summary>A new reader of the properties the selectors filter on, into reused arrays (one per bulk load: not thread-safe).</summary>
    public PropertyValues NewPropertyValues() =>
        new(_selectors.SelectMany(s => s.Selector.Where).Select(f => f.Property).Where(p => p != EventSelector.ChannelFilter));

    /// <summary>How many days of events the longest window needs (0 when no segment counts events).</summary>
    public int MaxWindow => _selectors.Length == 0 ? 0 : _selectors.Max(s => s.MaxWindow);

    /// <summary>Compiles valid definitions (from <see cref="SegmentDefinition"/>) into one layout.</summary>
    public static SegmentSet Compile(IReadOnlyList<SegmentDefinition> segments, SegmentFields? fields = null) =>
        new(segments, fields ?? SegmentFields.Default);

    /// <summary>The UTC day number (days since 1970-01-01) of a Unix millisecond time.</summary>
    public static int DayOf(long unixMilliseconds) =>
        (int)(unixMilliseconds >= 0 ? unixMilliseconds / MillisecondsPerDay : ((unixMilliseconds + 1) / MillisecondsPerDay) - 1);

    /// <param name="sharedFields">
    /// For the snapshots of a full load, which live and die together: field values in ranges of
    /// shared arrays (<see cref="FieldStorage"/>). A snapshot made on its own (one customer's
    /// decision, a few reloaded customers) keeps its own array, so a long-lived one never holds
    /// a shared array of mostly dead ranges.
    /// </param>
    public CustomerSnapshot NewSnapshot(long customerId, bool sharedFields = false) => new(this, customerId, sharedFields);

    /// <summary>The slot of a field path such as "value.revenue", or -1 when no segment reads it.</summary>
    public int FieldSlotOf(string path) => _fieldSlots.TryGetValue(path, out var slot) ? slot : -1;

    /// <summary>True when some selector could count events of this type and name.</summary>
    public bool Counts(string type, string? name) => Candidates(type, name, out _);

    /// <summary>Counts the event in every selector it matches; false when it matched none.</summary>
    public bool Apply(CustomerSnapshot s, in BehaviourEvent e, int today)
    {
        if (_selectors.Length == 0 || (e.Name is not null && _reserved.Contains(e.Name)))
        {
            return false;
        }

        var matched = false;
        var day = e.Day;
        if (e.Name is not null && _selectorsByName.TryGetValue(e.Name, out var named))
        {
            matched |= ApplyTo(named, s, in e, day, today);
        }

        if (_selectorsWithoutName.Length > 0)
        {
            matched |= ApplyTo(_selectorsWithoutName, s, in e, day, today);
        }

        return matched;
    }

    private bool ApplyTo(int[] candidates, CustomerSnapshot s, in BehaviourEvent e, int day, int today)
    {
        var matched = false;
        foreach (var i in candidates)
        {
            var selector = _selectors[i];
            var oldest = today - selector.MaxWindow;
            if (day < oldest || !selector.Matches(in e))
            {
                continue;
            }

            var counter = s.CounterForWrite(i);
            counter.DropBefore(oldest);
            counter.Add(day);
            matched = true;
        }

        return matched;
    }

    /// <summary>Whether the customer is in segment <paramref name="segment"/> now (membership state untouched).</summary>
    public bool Matches(CustomerSnapshot s, int segment, int today) => _conditions[segment].Eval(s, today);

    /// <summary>
    /// Evaluates every segment, updates the snapshot's memberships and appends what changed.
    /// Cost: one tree walk per segment, no allocation unless a membership changes.
    /// </summary>
    public void Evaluate(CustomerSnapshot s, int today, List<MembershipChange> changes)
    {
        for (var i = 0; i < _conditions.Length; i++)
        {
            var now = _conditions[i].Eval(s, today);
            if (now != s.IsMember(i))
            {
                s.SetMember(i, now);
                changes.Add(new MembershipChange(s.CustomerId, i, now));
            }
        }
    }

    /// <summary>
    /// The first day after <paramref name="today"/> on which some counted event leaves a window, so
    /// evaluation could change by the clock alone; <see cref="int.MaxValue"/> when none will.
    /// </summary>
    public int NextChangeDay(CustomerSnapshot s, int today)
    {
        var next = int.MaxValue;
        for (var i = 0; i < _selectors.Length; i++)
        {
            if (s.Counter(i) is not { IsEmpty: false } counter)
            {
                continue;
            }

            foreach (var window in _selectors[i].Windows)
            {
                // An event on day d counts through day d + window and is gone on day d + window + 1.
                if (counter.FirstDayFrom(today - window) is { } first && first + window + 1 < next)
                {
                    next = first + window + 1;
                }
            }
        }

        return next;
    }

    /// <summary>Forgets counter days no window reaches any more.</summary>
    public void Prune(CustomerSnapshot s, int today)
    {
        for (var i = 0; i < _selectors.Length; i++)
        {
            s.Counter(i)?.DropBefore(today - _selectors[i].MaxWindow);
        }
    }

    /// <summary>Whether any selector counts events of this type and name, and whether one of them reads properties. No allocation.</summary>
    private bool Candidates(string type, string? name, out bool readsProperties)
    {
        readsProperties = false;
        var any = false;
        foreach (var i in _selectorsWithoutName)
        {
            Consider(i, ref any, ref readsProperties);
        }

        if (name is not null && _selectorsByName.TryGetValue(name, out var named))
        {
            foreach (var i in named)
            {
                Consider(i, ref any, ref readsProperties);
            }
        }

        return any;

        void Consider(int i, ref bool any, ref bool reads)
        {
            if (_selectors[i].Selector.Type == type)
            {
                any = true;
                reads |= _selectors[i].ReadsProperties;
            }
        }
    }

    /// <summary>True when matching events of this type and name reads their properties.</summary>
    public bool ReadsProperties(string type, string? name) => Candidates(type, name, out var reads) && reads;
}
