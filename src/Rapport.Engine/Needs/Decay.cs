namespace Rapport.Engine.Needs;

/// <summary>
/// Exponential time decay with a half-life: an event one half-life older than another weighs half
/// as much. Shares of decayed weights do not depend on "now": every weight decays by the same
/// factor as the clock moves, so a customer's shares only change when their activity does, and a
/// stored share never goes stale. Weights are taken relative to the latest event, so nothing
/// overflows however long the history.
/// </summary>
public static class Decay
{
    private const double MillisecondsPerDay = 86_400_000.0;

    /// <summary>The weight of an event at <paramref name="at"/> relative to one at <paramref name="reference"/> (both UTC ms).</summary>
    public static double Weight(long at, long reference, double halfLifeDays) =>
        Math.Pow(2, (at - reference) / (halfLifeDays * MillisecondsPerDay));

    /// <summary>
    /// Decayed shares per key: Σ amount × weight per key over Σ over all keys. Entries without a
    /// key or with a non-positive amount count for nothing. Keys compare ordinally; the result is
    /// sorted by share, highest first, then by key.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Shares(
        IEnumerable<(string? Key, long At, double Amount)> entries, double halfLifeDays)
    {
        var list = entries.Where(e => e.Key is not null && e.Amount > 0).ToList();
        if (list.Count == 0)
        {
            return [];
        }

        var reference = list.Max(e => e.At);
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = 0.0;
        foreach (var (key, at, amount) in list)
        {
            var w = amount * Weight(at, reference, halfLifeDays);
            sums[key!] = sums.GetValueOrDefault(key!) + w;
            total += w;
        }

        return sums
            .Select(kv => new KeyValuePair<string, double>(kv.Key, kv.Value / total))
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
    }
}
