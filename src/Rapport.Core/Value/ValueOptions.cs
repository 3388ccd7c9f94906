using Rapport.Engine.Value;

namespace Rapport.Core.Value;

/// <summary>
/// How value is scored and how often the bulk work runs. The host reads these from
/// configuration (Rapport:Value:* and Rapport:Clv:*, see docs/value.md); the defaults suit a shop
/// of any size: quintiles, the platinum/gold/silver/bronze pyramid, a daily recomputation and a
/// daily BG/NBD refit valuing 52 weeks at 10% a year.
/// </summary>
public sealed record ValueOptions
{
    public int RfmBuckets { get; init; } = Rfm.DefaultBuckets;

    public ValueTiers Tiers { get; init; } = ValueTiers.Default;

    /// <summary>The share of customers the Pareto position is reported for (0.2 = the top 20%).</summary>
    public double ParetoTop { get; init; } = 0.2;

    /// <summary>Run the recomputation and the refit on a schedule in the server.</summary>
    public bool Scheduled { get; init; } = true;

    public TimeSpan RecomputeInterval { get; init; } = TimeSpan.FromDays(1);

    public TimeSpan RefitInterval { get; init; } = TimeSpan.FromDays(1);

    /// <summary>What scheduled refits fit; on-demand fits may ask for something else.</summary>
    public ClvFitRequest Clv { get; init; } = new();

    /// <summary>Fitted models whose per-customer predictions are kept (the current one and the one before).</summary>
    public int KeptPredictionVersions { get; init; } = 2;

    public ValueScoringOptions Scoring => new(RfmBuckets, Tiers, ParetoTop);
}
