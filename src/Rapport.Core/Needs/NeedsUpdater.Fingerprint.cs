using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>Whether a customer's needs moved, without building their rows.</summary>
public static partial class NeedsUpdater
{
    /// <summary>
    /// The fingerprint of a customer's rows in the four tables, hashed from the typed values in
    /// the order and form they are written (the needs row up to interests_at, then each affinity,
    /// channel and cadence row), so the same as hashing the built rows without building or boxing
    /// them: most customers of a recomputation have not changed. The cluster is not part of it:
    /// a refit sets clusters itself, and unchanged needs keep theirs.
    /// </summary>
    internal static long FingerprintOf(long id, CustomerNeeds n, NeedsSummary summary, string? interestsJson)
    {
        var f = new Fingerprint();
        var s = n.PriceSensitivity;
        var values = n.Preferences.ValuesMost;
        var interests = n.Preferences.Interests;
        f.Add(id);
        f.Add(s.Score);
        f.Add(s.UnitShare);
        f.Add(s.RevenueShare);
        f.Add(s.Units);
        f.Add(s.DiscountedUnits);
        f.Add(s.RevenueE4);
        f.Add(s.DiscountedRevenueE4);
        f.Add(s.OffersShown);
        f.Add(s.OffersAccepted);
        f.Add(s.CouponsApplied);
        f.Add(s.OfferResponse);
        f.Add(summary.Digital);
        f.Add(summary.Store);
        f.Add(summary.Assisted);
        f.Add(summary.Orders);
        f.Add(summary.Focus);
        f.Add(n.Affinity.Count > 0 ? n.Affinity[0].Category : null);
        f.Add(values?.Value);
        f.Add(values?.Source);
        f.Add(values?.At);
        f.Add(interestsJson);
        f.Add(interests?.Source);
        f.Add(interests?.At);
        for (var i = 0; i < n.Affinity.Count; i++)
        {
            var x = n.Affinity[i];
            f.Add(id);
            f.Add(x.Category);
            f.Add(x.ViewShare);
            f.Add(x.SpendShare);
            f.Add(x.Affinity);
        }

        for (var i = 0; i < n.Channels.Count; i++)
        {
            var x = n.Channels[i];
            f.Add(id);
            f.Add(x.Channel);
            f.Add(x.Interactions);
            f.Add(x.Purchases);
            f.Add(x.InteractionShare);
            f.Add(x.PurchaseShare);
        }

        for (var i = 0; i < n.Cadence.Count; i++)
        {
            var x = n.Cadence[i];
            f.Add(id);
            f.Add(x.Sku);
            f.Add((long)x.Purchases);
            f.Add(x.MedianIntervalDays);
            f.Add(x.LastPurchaseAt);
            f.Add(x.NextPurchaseAt);
        }

        return f.Value;
    }

    /// <summary>The same fingerprint hashed from the built rows (the needs row's last four values left out): the reference the typed form is tested against.</summary>
    internal static long FingerprintOfRows(object?[] needsRow, IEnumerable<object?[]> affinity, IEnumerable<object?[]> channels, IEnumerable<object?[]> cadence) =>
        Fingerprint.Of(needsRow[..^4], affinity.SelectMany(r => r), channels.SelectMany(r => r), cadence.SelectMany(r => r));
}
