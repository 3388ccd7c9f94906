namespace Rapport.Engine.Segments;

/// <summary>
/// The definition's syntax tree, the same whether it came from JSON or from the text form.
/// Positions point back into the source so validation can say where a mistake is.
/// </summary>
public abstract record SegmentNode(SourcePosition Position);

/// <summary>Every item holds.</summary>
public sealed record AndNode(IReadOnlyList<SegmentNode> Items, SourcePosition Position) : SegmentNode(Position);

/// <summary>At least one item holds.</summary>
public sealed record OrNode(IReadOnlyList<SegmentNode> Items, SourcePosition Position) : SegmentNode(Position);

/// <summary>The item does not hold.</summary>
public sealed record NotNode(SegmentNode Item, SourcePosition Position) : SegmentNode(Position);

/// <summary>
/// A field compared with constants: <c>value.revenue &gt;= 100</c>, <c>traits.country in ("DE", "AT")</c>,
/// <c>traits.email exists</c>. <paramref name="Field"/> is "family.key".
/// </summary>
public sealed record FieldNode(
    string Field,
    CompareOp Op,
    IReadOnlyList<Literal> Values,
    SourcePosition Position,
    SourcePosition ValuePosition) : SegmentNode(Position);

/// <summary>
/// How many events matching <paramref name="Selector"/> happened in the last
/// <paramref name="LastDays"/> days, compared with <paramref name="Count"/>. LastDays and Count
/// are kept as written (possibly nonsense) so the validator can point at them.
/// </summary>
public sealed record EventNode(
    EventSelector Selector,
    double? LastDays,
    CompareOp Op,
    double Count,
    SourcePosition Position,
    SourcePosition WindowPosition,
    SourcePosition CountPosition) : SegmentNode(Position);

/// <summary>
/// Which events to count: a type (track, page, …), optionally a name, and filters. A filter
/// on <c>channel</c> tests the event's channel; any other name is a property of the event or
/// of one of its <c>products[]</c> (so <c>category = "Lamps"</c> matches an order with a lamp in it).
/// </summary>
public sealed record EventSelector(string Type, string? Name, IReadOnlyList<PropertyFilter> Where, SourcePosition TypePosition)
{
    public const string ChannelFilter = "channel";

    /// <summary>One canonical spelling, so identical selectors share one counter.</summary>
    public string Key => SegmentText.WriteSelectorKey(this);
}

/// <summary><c>category = "Lamps"</c>, <c>total &gt;= 100</c>, <c>channel = "store"</c>.</summary>
public sealed record PropertyFilter(string Property, CompareOp Op, Literal Value, SourcePosition Position);
