namespace Rapport.Engine.Loyalty;

/// <summary>
/// What a surprise gives: an upgrade or a free item (recorded; the shop or staff fulfil it) or a
/// handwritten note (a task for the account manager). Cost is what one gift costs us, in currency
/// units: it comes off the budget and counts as value received in the reciprocity ledger.
/// </summary>
public sealed record SurpriseGift(string Kind = SurpriseGift.Note, decimal Cost = 0m, string? Sku = null, string? Description = null)
{
    public const string Upgrade = "upgrade";
    public const string FreeItem = "free_item";
    public const string Note = "note";

    public static readonly IReadOnlyList<string> Kinds = [Upgrade, FreeItem, Note];
}

/// <summary>
/// Who may be surprised; every condition set must hold. SegmentId: a member of the segment.
/// ValueTiers: customer_value tier (e.g. "top"). LoyaltyTiers: loyalty tier. PAliveBelow: the
/// current CLV model's P(alive) under this. PAliveFalling: P(alive) lower in the current model
/// than in the previous one.
/// </summary>
public sealed record SurpriseEligibility(
    long? SegmentId = null, IReadOnlyList<string>? ValueTiers = null, IReadOnlyList<string>? LoyaltyTiers = null, double? PAliveBelow = null, bool PAliveFalling = false);

/// <summary>
/// Spacing per customer over all surprise programmes: at least MinDaysBetween days since their
/// last surprise (or hold-out), and at most MaxPerPeriod in any PeriodDays.
/// </summary>
public sealed record SurpriseSpacing(int MinDaysBetween = 90, int MaxPerPeriod = 2, int PeriodDays = 365);

/// <summary>When the gift is announced to the customer: the purpose and channel ContactPolicy must allow (consent, pause, quiet hours, weekly maximum).</summary>
public sealed record SurpriseContact(string Purpose = "marketing", string Channel = "email");

/// <summary>
/// A surprise-and-delight programme (docs/surprise.md): a total budget, eligibility, spacing, a
/// gift, a deterministic control group (HoldoutShare of eligible customers get nothing, so the
/// effect can be measured) and MaxPerRun recipients per run.
/// </summary>
public sealed record SurpriseProgram
{
    public string Name { get; init; } = "";

    public decimal Budget { get; init; }

    public SurpriseGift Gift { get; init; } = new();

    public SurpriseEligibility Eligibility { get; init; } = new();

    public SurpriseSpacing Spacing { get; init; } = new();

    public double HoldoutShare { get; init; } = 0.2;

    public int MaxPerRun { get; init; } = 100;

    public SurpriseContact? Contact { get; init; }

    /// <summary>Who writes the note when the customer has no account_manager trait.</summary>
    public string? Assignee { get; init; }

    public bool Active { get; init; } = true;

    /// <summary>Everything wrong, each with how to fix it; empty when the programme can run.</summary>
    public IReadOnlyList<string> Validate(Func<string, bool> isPurpose, Func<string, bool> isChannel)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200)
        {
            errors.Add("name is required (at most 200 characters), e.g. \"Thank-you notes for top customers\".");
        }

        if (Budget <= 0)
        {
            errors.Add($"budget {Budget} must be a positive amount of money: the most all gifts together may cost.");
        }

        if (!SurpriseGift.Kinds.Contains(Gift.Kind))
        {
            errors.Add($"gift.kind '{Gift.Kind}' must be one of {string.Join(", ", SurpriseGift.Kinds)}.");
        }

        if (Gift.Cost < 0 || Gift.Cost > Budget)
        {
            errors.Add($"gift.cost {Gift.Cost} must be 0 or more and within the budget {Budget}.");
        }

        if (Gift.Kind == SurpriseGift.FreeItem && string.IsNullOrWhiteSpace(Gift.Sku))
        {
            errors.Add("gift.sku is required for a free_item: the product to give.");
        }

        if (Spacing.MinDaysBetween < 0 || Spacing.MaxPerPeriod < 1 || Spacing.PeriodDays < 1)
        {
            errors.Add("spacing: minDaysBetween 0 or more, maxPerPeriod and periodDays 1 or more (e.g. 90, 2, 365).");
        }

        if (HoldoutShare is < 0 or >= 1)
        {
            errors.Add($"holdoutShare {HoldoutShare} must be from 0 up to (not including) 1, e.g. 0.2 keeps 20% as the control group.");
        }

        if (MaxPerRun is < 1 or > 100_000)
        {
            errors.Add($"maxPerRun {MaxPerRun} must be between 1 and 100000.");
        }

        if (Eligibility.PAliveBelow is < 0 or > 1)
        {
            errors.Add($"eligibility.pAliveBelow {Eligibility.PAliveBelow} must be a probability between 0 and 1.");
        }

        if (Contact is { } c && (!isPurpose(c.Purpose) || !isChannel(c.Channel)))
        {
            errors.Add($"contact purpose '{c.Purpose}' / channel '{c.Channel}' are not known consent purposes and channels (e.g. marketing / email).");
        }

        return errors;
    }
}
