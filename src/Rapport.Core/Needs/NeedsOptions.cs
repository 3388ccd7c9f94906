using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>
/// Server settings for needs (Rapport:Needs:*): how they are computed, how many clusters (null =
/// chosen by silhouette), the seed of the fit, and the refit schedule.
/// </summary>
public sealed record NeedsOptions(
    NeedsSettings Settings,
    int? Clusters = null,
    int Seed = 42,
    bool Scheduled = true,
    TimeSpan? RecomputeInterval = null)
{
    public NeedsOptions()
        : this(NeedsSettings.Default)
    {
    }

    public TimeSpan Interval => RecomputeInterval ?? TimeSpan.FromDays(1);

    /// <summary>Why a cluster count is unusable, or null. Null means "choose".</summary>
    public static string? ValidateClusters(int? k) =>
        k is { } n && (n < NeedsClustering.MinK || n > 20)
            ? $"the number of clusters must be between {NeedsClustering.MinK} and 20 (or left out to let Rapport choose between {NeedsClustering.MinK} and {NeedsClustering.MaxK}); {n} is not"
            : null;
}
