using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>
/// Server settings for needs (Rapport:Needs:*): how they are computed, how many clusters (null =
/// chosen by silhouette), the seed of the fit, the refit schedule, and how long the
/// background refresher gathers marked customers.
/// </summary>
public sealed record NeedsOptions(
    NeedsSettings Settings,
    int? Clusters = null,
    int Seed = 42,
    bool Scheduled = true,
    TimeSpan? RecomputeInterval = null,
    TimeSpan? RefreshDelay = null)
{
    public NeedsOptions()
        : this(NeedsSettings.Default)
    {
    }

    public TimeSpan Interval => RecomputeInterval ?? TimeSpan.FromDays(1);

    /// <summary>
    /// How long the background refresher lets marked customers gather before recomputing them
    /// (a customer's burst of events is then one recomputation). Wall-clock batching, not business time.
    /// </summary>
    public TimeSpan Linger => RefreshDelay ?? TimeSpan.FromSeconds(1);

    /// <summary>Why a cluster count is unusable, or null. Null means "choose".</summary>
    public static string? ValidateClusters(int? k) =>
        k is { } n && (n < NeedsClustering.MinK || n > 20)
            ? $"the number of clusters must be between {NeedsClustering.MinK} and 20 (or left out to let Rapport choose between {NeedsClustering.MinK} and {NeedsClustering.MaxK}); {n} is not"
            : null;
}
