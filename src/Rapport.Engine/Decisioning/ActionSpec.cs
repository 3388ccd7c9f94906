namespace Rapport.Engine.Decisioning;

/// <summary>What an action gives the customer. The names are the API's "kind" values.</summary>
public static class ActionKinds
{
    public const string ProductOffer = "product_offer";
    public const string Discount = "discount";
    public const string Reward = "reward";
    public const string Surprise = "surprise";
    public const string Content = "content";
    public const string Service = "service";

    public static readonly IReadOnlyList<string> All = [ProductOffer, Discount, Reward, Surprise, Content, Service];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind);
}

/// <summary>At most <paramref name="Max"/> decisions of one action per customer in <paramref name="Days"/> days, across every channel.</summary>
public sealed record FrequencyCap(int Max, int Days);

/// <summary>How many times an action may be given out: in total and to one customer (null = no limit).</summary>
public sealed record ActionBudget(long? Total, int? PerCustomer);

/// <summary>
/// The Beta prior of an action's acceptance rate: what we believe before any outcome, worth
/// <paramref name="Strength"/> observations. Mean 0.1 with strength 10 is Beta(1, 9).
/// </summary>
public sealed record PropensityPrior(double Mean, double Strength)
{
    public static readonly PropensityPrior Default = new(0.1, 10);

    public double Alpha => Mean * Strength;

    public double Beta => (1 - Mean) * Strength;

    /// <summary>The posterior mean after the outcomes seen: (α + accepted) / (α + β + accepted + ignored).</summary>
    public double Posterior(long accepted, long ignored) => (Alpha + accepted) / (Alpha + Beta + accepted + ignored);
}

/// <summary>
/// An action of the catalogue as the ranking needs it. <see cref="Placements"/> empty means any
/// placement; <see cref="SegmentIds"/> empty means everyone (else: a member of at least one).
/// <see cref="Value"/> is what an acceptance is worth (currency units; 1 for actions without a
/// money value), <see cref="Priority"/> a business weight multiplying the expected value.
/// </summary>
public sealed record ActionSpec(
    long Id,
    string Name,
    string Kind,
    string Purpose,
    IReadOnlyList<string> Channels,
    IReadOnlyList<string> Placements,
    IReadOnlyList<long> SegmentIds,
    DateTimeOffset? From,
    DateTimeOffset? Until,
    TimeSpan? Cooldown,
    FrequencyCap? Cap,
    ActionBudget? Budget,
    double Priority,
    decimal Value,
    PropensityPrior Prior,
    string? Reason,
    string? ProductId,
    bool Active = true)
{
    /// <summary>Share of eligible customers held out as this action's control group (0 to 0.5): they get nothing and are logged the same way.</summary>
    public double Holdout { get; init; }
}

/// <summary>What the log says about one action: overall (budget, learning) and for this customer (caps, cool-down).</summary>
public sealed record ActionHistory(long IssuedTotal, long Accepted, long Ignored, IReadOnlyList<DateTimeOffset> CustomerDecisions)
{
    public static readonly ActionHistory None = new(0, 0, 0, []);
}

/// <summary>
/// One action to consider for one customer: its spec, its history, and whether the customer meets
/// its condition (evaluated by the segment engine outside; true when it has none).
/// </summary>
public sealed record Candidate(ActionSpec Action, ActionHistory History, bool ConditionMet);

/// <summary>Who is asking: the channel and placement, the time, and the customer's segments.</summary>
/// <param name="Reciprocity">
/// The customer's reciprocity balance in money (what they gave minus what they received, issue 6):
/// gifts lean towards customers who gave more than they got (see <see cref="ReciprocityWeight"/>).
/// </param>
public sealed record DecisionRequest(string Channel, string? Placement, DateTimeOffset Now, IReadOnlySet<long> Segments, decimal Reciprocity = 0);

/// <summary>
/// How much a customer's reciprocity balance moves the score of actions that give something
/// (rewards, surprises, discounts): 1 + 0.5 × b / (|b| + 100), so between 0.5 and 1.5, 1 for a
/// balanced relationship, about 1.25 for a customer 100 ahead and 0.75 for one 100 behind. Other
/// kinds (offers, content, service) are not weighted: the balance is about fairness of gifts.
/// </summary>
public static class ReciprocityWeight
{
    public static readonly IReadOnlySet<string> GivingKinds = new HashSet<string>(StringComparer.Ordinal) { "reward", "surprise", "discount" };

    public static double For(string kind, decimal balance)
    {
        if (!GivingKinds.Contains(kind))
        {
            return 1;
        }

        var b = (double)balance;
        return 1 + (0.5 * b / (Math.Abs(b) + 100));
    }
}

/// <summary>A candidate that passed every rule, with its score: propensity × value × priority.</summary>
public sealed record RankedAction(ActionSpec Action, double Propensity, double ExpectedValue, double Score);

/// <summary>A candidate left out, with the rule that left it out (an API reason code) and a sentence.</summary>
public sealed record Excluded(ActionSpec Action, string Reason, string Detail);
