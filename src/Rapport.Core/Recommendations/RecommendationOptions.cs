namespace Rapport.Core.Recommendations;

/// <summary>How the served recommender is trained and kept fresh.</summary>
public sealed record RecommendationOptions
{
    /// <summary>How often the model is rebuilt when new events made it stale; 0 turns the schedule off (retrain on demand only).</summary>
    public TimeSpan RetrainInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a request waits for the very first model before it is told to come back (HTTP
    /// 503 problem with retryAfterSeconds) or, for next best action, gets no recommended products.
    /// The first training reads the whole history: minutes on millions of events, longer than any
    /// client should hang. Later retrains never make a request wait: the previous model serves.
    /// </summary>
    public TimeSpan FirstModelWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An interaction this old counts half, in affinity and in item-to-item co-occurrence.</summary>
    public double HalfLifeDays { get; init; } = 30;

    /// <summary>
    /// Only this much history (days before now) is read at a retrain; 0 reads all of it. With a
    /// 30-day half-life a year-old interaction weighs under 1/4000, so 365 loses nothing that
    /// matters on live data; 0 suits an imported history such as the UCI sample.
    /// </summary>
    public int HistoryDays { get; init; }

    /// <summary>Neighbours kept per item in every similarity table: bounds memory at items × this.</summary>
    public int MaxNeighbours { get; init; } = 100;

    /// <summary>A bought item is recommended again only when at least this share of its buyers bought it on two or more days.</summary>
    public float RepeatThreshold { get; init; } = 0.2f;

    /// <summary>Fewest orders a pair must share to be "frequently bought together".</summary>
    public int FbtMinSupport { get; init; } = 2;

    /// <summary>Affinity weights per signal: a view says less than a cart add, which says less than a purchase.</summary>
    public float ViewWeight { get; init; } = 1;

    public float CartWeight { get; init; } = 2;

    public float PurchaseWeight { get; init; } = 3;
}
