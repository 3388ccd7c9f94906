namespace Rapport.Engine.Value;

/// <summary>One tier: its name and the share of customers, counted from the top, it ends at.</summary>
/// <param name="Name">e.g. "platinum".</param>
/// <param name="TopShare">Cumulative share from the top: 0.05 means "the top 5%".</param>
public sealed record ValueTier(string Name, double TopShare);

/// <summary>
/// Value tiers by margin percentile, most valuable first. The default is a customer pyramid:
/// platinum = the top 5% by margin, gold = the next 15% (top 20%), silver = the next 30% (top
/// 50%), bronze = everyone else. A customer is in the first tier whose top share their
/// percentile reaches: percentile &gt; 1 − TopShare.
/// </summary>
public sealed class ValueTiers
{
    public ValueTiers(IReadOnlyList<ValueTier> tiers)
    {
        if (tiers.Count is < 1 or > 20)
        {
            throw new ArgumentException("Give between 1 and 20 tiers.", nameof(tiers));
        }

        double previous = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tiers.Count; i++)
        {
            var t = tiers[i];
            if (string.IsNullOrWhiteSpace(t.Name) || !names.Add(t.Name))
            {
                throw new ArgumentException($"Tier {i + 1} needs a name of its own (got '{t.Name}').", nameof(tiers));
            }

            bool last = i == tiers.Count - 1;
            if (!(t.TopShare > previous) || t.TopShare > 1 || (last && t.TopShare != 1))
            {
                throw new ArgumentException(
                    $"Tier '{t.Name}': top shares must grow from the most valuable tier and the last must be 1 (everyone else); got {t.TopShare}.",
                    nameof(tiers));
            }

            previous = t.TopShare;
        }

        Tiers = tiers;
    }

    public static ValueTiers Default { get; } = new(
    [
        new("platinum", 0.05),
        new("gold", 0.20),
        new("silver", 0.50),
        new("bronze", 1.0),
    ]);

    public IReadOnlyList<ValueTier> Tiers { get; }

    /// <summary>Index of the tier for a percentile in [0, 1] (1 = most valuable).</summary>
    public int IndexOf(double percentile)
    {
        for (int i = 0; i < Tiers.Count - 1; i++)
        {
            // The slack keeps a percentile exactly on the boundary (19/20 against 1 - 0.05) out of the
            // higher tier whichever way the floating-point rounding goes.
            if (percentile > 1 - Tiers[i].TopShare + 1e-12)
            {
                return i;
            }
        }

        return Tiers.Count - 1;
    }

    public string NameOf(double percentile) => Tiers[IndexOf(percentile)].Name;
}
