namespace Rapport.Core.Conversations;

/// <summary>
/// The time a provider (SMS gateway, mail server) says a customer's message was sent, kept beside
/// our arrival time when it is believable: not in the future (beyond a minute of clock skew) and
/// not older than <see cref="MaxAge"/>. Otherwise the arrival time is used and a note says why,
/// so a wrong provider clock cannot reorder a thread or backdate the timeline.
/// </summary>
public static class ProviderTime
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);

    /// <summary>Clocks differ a little: a time this far ahead counts as now, without a note.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    /// <summary>The time to keep as received-at and why the provider's was not used (null: it was, or there was none).</summary>
    public static (DateTimeOffset? At, string? Note) Bound(DateTimeOffset? provider, DateTimeOffset arrival)
    {
        if (provider is not { } p)
        {
            return (null, null);
        }

        if (p > arrival + Skew)
        {
            return (arrival, $"The provider's time {p.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC is in the future (it arrived {arrival.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC); the arrival time is used.");
        }

        if (p < arrival - MaxAge)
        {
            return (arrival, $"The provider's time {p.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC is more than {MaxAge.TotalDays:0} days before it arrived ({arrival.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC); the arrival time is used.");
        }

        return (p > arrival ? arrival : p, null);
    }
}
