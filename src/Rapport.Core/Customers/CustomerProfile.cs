using Rapport.Core.Value;

namespace Rapport.Core.Customers;

public sealed record IdentifierView(string Kind, string Value, DateTimeOffset FirstSeenAt);

public sealed record TraitView(string Name, string Value, string Source, DateTimeOffset At);

public sealed record OrderSummary(int Orders, int Returns, decimal Revenue, DateTimeOffset? FirstOrderAt, DateTimeOffset? LastOrderAt);

public sealed record CustomerProfile(
    long Id,
    DateTimeOffset CreatedAt,
    long? MergedInto,
    IReadOnlyList<IdentifierView> Identifiers,
    IReadOnlyDictionary<string, TraitView> Traits,
    OrderSummary Orders,
    IReadOnlyDictionary<string, int> EventsByChannel,
    CustomerValueView? Value = null,
    ClvPredictionView? Prediction = null,
    Needs.CustomerNeedsView? Needs = null,
    Loyalty.LoyaltySummary? Loyalty = null);

public sealed record TimelineEntry(
    long Id,
    string MessageId,
    string Type,
    string? Name,
    string Channel,
    DateTimeOffset OccurredAt,
    System.Text.Json.Nodes.JsonNode? Properties);

public sealed record TimelinePage(IReadOnlyList<TimelineEntry> Items, string? NextCursor);

public sealed record CustomerHit(long Id, string? Name, string? Email);
