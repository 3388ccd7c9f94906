using System.Text.Json;
using Rapport.Engine.Needs;

namespace Rapport.Core.Needs;

/// <summary>From histories to the rows of the customers whose needs moved.</summary>
public static partial class NeedsUpdater
{
    /// <summary>
    /// The pure part, on every core: each customer's needs are independent of the others', and
    /// the results are gathered in id order, so the outcome is the same as one at a time.
    /// </summary>
    private static NeedsComputation Compute(
        long[] ids, Dictionary<long, NeedsHistory> histories, Dictionary<long, long> stored, NeedsSettings settings, NeedsModel? model, long now)
    {
        var rows = new CustomerRows?[ids.Length];
        var removed = new bool[ids.Length];
        Parallel.For(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var id = ids[i];
            if (!histories.TryGetValue(id, out var history))
            {
                removed[i] = stored.ContainsKey(id); // no history any more (absorbed by a merge): its rows go
                return;
            }

            var needs = NeedsCalculator.Compute(history, settings);
            var summary = NeedsSummary.From(needs);
            var interests = InterestsJson(needs);
            var fingerprint = FingerprintOf(id, needs, summary, interests);
            if (!(stored.TryGetValue(id, out var previous) && previous == fingerprint))
            {
                // Only customers whose needs moved are turned into (boxed) rows and assigned a cluster.
                rows[i] = Rows(id, NeedsRow(id, needs, summary, interests, model, fingerprint, now), needs);
            }
        });

        var result = new NeedsComputation();
        for (var i = 0; i < ids.Length; i++)
        {
            if (removed[i])
            {
                result.Changed.Add(ids[i]);
            }
            else if (rows[i] is { } r)
            {
                result.Changed.Add(ids[i]);
                result.Needs.Add(r.Needs);
                result.Affinity.AddRange(r.Affinity);
                result.Channels.AddRange(r.Channels);
                result.Cadence.AddRange(r.Cadence);
            }
        }

        return result;
    }

    private sealed record CustomerRows(object?[] Needs, List<object?[]> Affinity, List<object?[]> Channels, List<object?[]> Cadence);

    /// <summary>A customer's rows in the four tables (the needs row already holds their fingerprint).</summary>
    private static CustomerRows Rows(long id, object?[] row, CustomerNeeds n)
    {
        var a = new List<object?[]>(n.Affinity.Count);
        foreach (var x in n.Affinity)
        {
            a.Add([id, x.Category, x.ViewShare, x.SpendShare, x.Affinity]);
        }

        var ch = new List<object?[]>(n.Channels.Count);
        foreach (var x in n.Channels)
        {
            ch.Add([id, x.Channel, x.Interactions, x.Purchases, x.InteractionShare, x.PurchaseShare]);
        }

        var d = new List<object?[]>(n.Cadence.Count);
        foreach (var x in n.Cadence)
        {
            d.Add([id, x.Sku, (long)x.Purchases, x.MedianIntervalDays, x.LastPurchaseAt, x.NextPurchaseAt]);
        }

        return new CustomerRows(row, a, ch, d);
    }

    private static string? InterestsJson(CustomerNeeds n) =>
        n.Preferences.Interests is { } interests ? JsonSerializer.Serialize(interests.Value) : null;

    /// <summary>The customer_needs row, in <see cref="NeedsColumns"/> order.</summary>
    internal static object?[] NeedsRow(long id, CustomerNeeds n, NeedsSummary summary, string? interestsJson, NeedsModel? model, long fingerprint, long now)
    {
        var s = n.PriceSensitivity;
        var values = n.Preferences.ValuesMost;
        var interests = n.Preferences.Interests;
        return
        [
            id, s.Score, s.UnitShare, s.RevenueShare, s.Units, s.DiscountedUnits, s.RevenueE4, s.DiscountedRevenueE4, s.OffersShown,
            s.OffersAccepted, s.CouponsApplied, s.OfferResponse, summary.Digital, summary.Store, summary.Assisted, summary.Orders,
            summary.Focus, n.Affinity.Count > 0 ? n.Affinity[0].Category : null, values?.Value, values?.Source, values?.At,
            interestsJson, interests?.Source, interests?.At,
            model?.Id, model is null ? null : (long)model.Assign(NeedsVector.Of(summary)), fingerprint, now,
        ];
    }

    /// <summary>A customer's rows in the four tables, as written (for tests comparing the typed fingerprint with the rows').</summary>
    internal static (object?[] Needs, List<object?[]> Affinity, List<object?[]> Channels, List<object?[]> Cadence) RowsOf(
        long id, CustomerNeeds n, NeedsModel? model, long now)
    {
        var summary = NeedsSummary.From(n);
        var interests = InterestsJson(n);
        var r = Rows(id, NeedsRow(id, n, summary, interests, model, FingerprintOf(id, n, summary, interests), now), n);
        return (r.Needs, r.Affinity, r.Channels, r.Cadence);
    }
}
