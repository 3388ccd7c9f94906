using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Needs;

/// <summary>
/// The bulk recomputation reads id ranges on parallel connections and computes on every core;
/// the refresher reads a list of customers. Both must store exactly the same needs.
/// </summary>
public sealed class NeedsBulkTests
{
    [Theory, BothStores]
    public async Task Recompute_ByIdRanges_StoresWhatTheRefresherStored(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        // An absorbed customer inside the id range (their history moves to the buyer), a view
        // whose category comes from the catalogue, offers and a stated preference.
        await h.SendAsync(new IncomingEvent("anon-v", "track", EcommerceEvents.ProductViewed, Channels.App, null, "device-1", h.Clock.GetUtcNow().AddDays(-1),
            new JsonObject { ["product_id"] = "L1", ["category"] = "Lamps" }, null, null));
        await h.SendAsync(
            h.Order("m1", -1, "ann", Channels.Store, [("C1", "Chairs", 10m, 1)]),
            h.View("v-cat", -2, "MUG", null, user: "ann"),
            h.Event("p1", -3, NeedsEvents.PromotionViewed, user: "ann"),
            h.Event("p2", -3, NeedsEvents.CouponApplied, user: "ann"),
            h.Event("pref", -3, NeedsEvents.PreferencesStated, new JsonObject { ["values_most"] = "price", ["interests"] = "garden, lighting" }, user: "ann"));
        await h.SendAsync(h.Identify("login", [], "ann", anon: "device-1"));
        var byRefresher = await RowsAsync(h);
        Assert.Equal(13, byRefresher["customer_needs"].Count); // 12 + ann; the absorbed visitor has none

        // Nothing new: the bulk recomputation finds every fingerprint equal and rewrites nobody.
        var again = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(Refit: false)))!;
        Assert.Equal(0, again.Changed);

        // From scratch: the same rows, customer by customer.
        await using (var c = await h.Db.OpenAsync())
        {
            foreach (var table in new[] { "customer_needs", "customer_affinity", "customer_channels", "customer_cadence" })
            {
                await c.ExecuteAsync($"DELETE FROM {table}");
            }
        }

        var fresh = (await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(Refit: false)))!;
        Assert.Equal(13, fresh.Changed);
        var byBulk = await RowsAsync(h);
        foreach (var (table, rows) in byRefresher)
        {
            Assert.Equal(rows, byBulk[table]);
        }

        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var needs = await h.Needs.GetAsync(ann);
        Assert.Equal("Kitchen", needs.Affinity.Single(a => a.ViewShare > 0 && a.Category == "Kitchen").Category); // MUG's category from the catalogue
        Assert.Equal("discounts", needs.Preferences.ValuesMost!.Value);
        Assert.Equal(1.0, needs.PriceSensitivity!.OfferResponse);
    }

    /// <summary>Every stored needs row as text, in key order, without the time it was written.</summary>
    private static async Task<Dictionary<string, List<string>>> RowsAsync(CoreHarness h)
    {
        await using var c = await h.Db.OpenAsync();
        var result = new Dictionary<string, List<string>>();
        foreach (var (table, order) in new[]
        {
            ("customer_needs", "customer_id"), ("customer_affinity", "customer_id, category"),
            ("customer_channels", "customer_id, channel"), ("customer_cadence", "customer_id, sku"),
        })
        {
            var rows = await c.QueryAsync($"SELECT * FROM {table} ORDER BY {order}");
            result[table] = rows.Select(r => string.Join("|", ((IDictionary<string, object?>)r)
                .Where(kv => kv.Key != "updated_at")
                .Select(kv => $"{kv.Key}={Convert.ToString(kv.Value, System.Globalization.CultureInfo.InvariantCulture)}"))).ToList();
        }

        return result;
    }
}
