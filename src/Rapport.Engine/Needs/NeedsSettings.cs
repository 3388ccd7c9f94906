namespace Rapport.Engine.Needs;

/// <summary>
/// How needs are computed. HalfLifeDays: a view or purchase this many days older than the latest
/// weighs half as much in category affinity. SpendWeight: the weight of the spend share in the
/// blended affinity when the customer both viewed and bought (views get the rest).
/// </summary>
public sealed record NeedsSettings(double HalfLifeDays = 90, double SpendWeight = 2.0 / 3)
{
    public static NeedsSettings Default { get; } = new();

    /// <summary>Why these settings are unusable, or null.</summary>
    public string? Validate() =>
        !(HalfLifeDays is >= 1 and <= 3650) ? $"the half-life must be between 1 and 3650 days; {HalfLifeDays} is not"
        : !(SpendWeight is >= 0 and <= 1) ? $"the spend weight must be between 0 and 1; {SpendWeight} is not"
        : null;
}
