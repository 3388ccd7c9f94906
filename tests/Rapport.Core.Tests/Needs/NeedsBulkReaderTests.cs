using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Core.Tests.Needs;

/// <summary>
/// The bulk reader (SQLite's API by position, UTF-8 names, interned texts) must give every
/// customer exactly the needs the ADO.NET reader gives, on histories with the awkward cases.
/// </summary>
public sealed class NeedsBulkReaderTests
{
    [Theory, BothStores]
    public async Task BulkReader_EdgeCases_SameNeedsAsTheAdoNetReader(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        await h.SendAsync(
            // Merged: a visitor's view and order move to ann when she logs in on that device.
            new IncomingEvent("anon-v", "track", EcommerceEvents.ProductViewed, Channels.App, null, "device-1", h.Clock.GetUtcNow().AddDays(-1),
                new JsonObject { ["product_id"] = "L1", ["category"] = "Lamps" }, null, null),
            // Escaped text (JSON writes é as \u00e9), a numeric product id, a blank category (the catalogue's counts).
            h.View("v-esc", -2, "CAFE1", "Café", user: "ann"),
            h.Event("v-num", -2, EcommerceEvents.ProductViewed, new JsonObject { ["product_id"] = 12345, ["category"] = " " }, user: "ann"),
            h.View("v-cat", -2, "MUG", null, user: "ann"),
            h.Order("m1", -1, "ann", Channels.Store, [("C1", "Chairs", 10m, 1), ("MUG", null, 4m, 2)], coupon: "WELCOME"),
            h.Order("m2", -3, "ann", Channels.Web, [("C1", "Chairs", 10m, 1)], discount: 2m),
            h.Order("m3", -4, "ann", Channels.Phone, [("L1", "Lamps", 30m, 1)]),
            h.Event("refund", -1, EcommerceEvents.OrderRefunded, new JsonObject { ["order_id"] = "m3", ["total"] = 30 }, user: "ann"),
            h.Order("m4", -6, "ann", Channels.Web, [("S1", "Sofas", 300m, 1)]),
            // A sale with no lines: a purchase on its channel all the same.
            h.Order("m5", -2, "ann", Channels.Chat, []),
            h.Event("cancel", -5, EcommerceEvents.OrderCancelled, new JsonObject { ["order_id"] = "m4" }, user: "ann"),
            h.Event("p1", -3, NeedsEvents.PromotionViewed, user: "ann"),
            h.Event("p2", -3, NeedsEvents.PromotionClicked, user: "ann"),
            h.Event("p3", -3, NeedsEvents.CouponApplied, user: "ann"),
            h.Event("pref", -3, NeedsEvents.PreferencesStated, new JsonObject { ["values_most"] = "price", ["interests"] = new JsonArray("garden", "lighting") }, user: "ann"),
            // A customer who only browsed pages, one who only told us what they value.
            new IncomingEvent("page-1", "page", "Home", Channels.Web, "bob", null, h.Clock.GetUtcNow().AddDays(-2), [], null, null),
            h.Identify("carl-id", new JsonObject { ["values_most"] = "Quality", ["interests"] = "tea, Tea, cups" }, "carl"));
        await h.SendAsync(h.Identify("login", [], "ann", anon: "device-1"));
        // Rapport's own event on ann's timeline: not an interaction of hers.
        await using (var c = await h.Db.OpenAsync())
        {
            var ann = await h.OwnerAsync(Rapport.Engine.Identity.Identifier.UserId, "ann");
            await c.ExecuteAsync(
                "INSERT INTO events (message_id, type, name, channel, customer_id, id_kind, id_value, occurred_at, received_at, properties, origin) " +
                "VALUES ('own-1', 'track', 'Email Sent', 'email', @ann, 'user_id', 'ann', 1, 1, '{}', @origin)",
                new { ann, origin = EventOrigin.Rapport });
            // Rows the one-pass event read and the in-memory catalogue must treat as the queries do:
            // Rapport's own promotion (an offer shown, not an interaction), a screen and a nameless
            // track event (interactions only), an identify (neither).
            foreach (var (id, type, name, channel, origin) in new[]
            {
                ("own-2", "track", NeedsEvents.PromotionViewed, "email", EventOrigin.Rapport),
                ("scr-1", "screen", "Basket", "app", EventOrigin.Customer),
                ("nameless", "track", null, "kiosk", EventOrigin.Customer),
                ("idy", "identify", null, "crm", EventOrigin.Customer),
            })
            {
                await c.ExecuteAsync(
                    "INSERT INTO events (message_id, type, name, channel, customer_id, id_kind, id_value, occurred_at, received_at, properties, origin) " +
                    "VALUES (@id, @type, @name, @channel, @ann, 'user_id', 'ann', 2, 2, '{}', @origin)",
                    new { id, type, name, channel, ann, origin });
            }

            // A list price above what ann paid for C1 (bought below list), a line whose product the
            // catalogue no longer has (S1: no category, no list price), one without a category.
            await c.ExecuteAsync("UPDATE products SET price_e4 = 200000 WHERE sku = 'C1'");
            await c.ExecuteAsync("DELETE FROM products WHERE sku = 'S1'");
            await c.ExecuteAsync("UPDATE products SET category = NULL, price_e4 = 50000 WHERE sku = 'MUG'");
        }

        await using var connection = await h.Db.OpenAsync();
        var ids = (await connection.QueryAsync<long>("SELECT id FROM customers ORDER BY id")).ToList();
        var dialect = h.Db.Dialect;
        var byAdoNet = await NeedsReader.ReadAsync(connection, null, dialect, ids, CancellationToken.None);
        var byRange = NeedsBulkReader.ReadRange(connection, null, dialect, ids[0], ids[^1]);
        var byList = NeedsBulkReader.ReadList(connection, null, dialect, ids);

        Assert.True(byAdoNet.Count >= 14, $"{byAdoNet.Count} customers with history");
        Assert.Equal(byAdoNet.Keys.Order(), byRange.Keys.Order());
        Assert.Equal(byAdoNet.Keys.Order(), byList.Keys.Order());
        foreach (var (id, history) in byAdoNet)
        {
            // The ADO.NET reader keeps the store's row order; the bulk reader puts views and lines in
            // time order (PostgreSQL's list and range plans return them differently).
            var expected = Json(history with
            {
                Views = [.. history.Views.Select((v, i) => (v, i)).OrderBy(x => x.v.At).ThenBy(x => x.i).Select(x => x.v)],
                Lines = [.. history.Lines.Select((l, i) => (l, i)).OrderBy(x => x.l.At).ThenBy(x => x.i).Select(x => x.l)],
            });
            Assert.Equal(expected, Json(byRange[id]));
            Assert.Equal(expected, Json(byList[id]));
        }

        var annNeeds = NeedsCalculator.Compute(byRange[await h.OwnerAsync(Rapport.Engine.Identity.Identifier.UserId, "ann")], NeedsSettings.Default);
        Assert.Contains(annNeeds.Affinity, a => a.Category == "Café");
        Assert.DoesNotContain(annNeeds.Channels, c => c.Channel == Channels.Email); // the own event is not hers
        Assert.Equal(1.0, annNeeds.PriceSensitivity.OfferResponse);
        Assert.Equal(2, byRange[await h.OwnerAsync(Rapport.Engine.Identity.Identifier.UserId, "ann")].OffersShown); // hers and Rapport's promotion
        Assert.Contains(annNeeds.Channels, c => c.Channel == "kiosk" && c.Interactions == 1);
        Assert.Contains(annNeeds.Channels, c => c.Channel == Channels.Chat && c.Purchases == 1); // the sale without lines
        Assert.Contains(annNeeds.Channels, c => c.Channel == Channels.Store && c.Purchases == 1); // two lines, one sale
        Assert.DoesNotContain(annNeeds.Channels, c => c.Channel == "crm");
    }

    [Fact]
    public async Task TraitsRead_ForARangeOfCustomers_UsesTheCustomerKey()
    {
        // Without statistics SQLite chose the (name, value) search index for "customer in range
        // and name in (...)": every range then read every customer's values_most trait in the
        // store, which made the 1M recomputation grow with the square of the store. The plan does
        // not depend on the data, so an empty store shows it.
        await using var h = await CoreHarness.CreateAsync(StoreKind.Sqlite);
        await using var c = await h.Db.OpenAsync();
        var details = new List<string>();
        await using (var r = await c.ExecuteReaderAsync("EXPLAIN QUERY PLAN " + NeedsBulkReader.TraitsSql("BETWEEN 1 AND 2500")))
        {
            while (await r.ReadAsync())
            {
                details.Add(r.GetString(3)); // id, parent, notused, detail
            }
        }

        var plan = string.Join("\n", details);

        Assert.Contains("sqlite_autoindex_traits_1 (customer_id>? AND customer_id<?)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("ix_traits_search", plan, StringComparison.Ordinal);
    }

    /// <summary>The computed needs and the inputs the calculator reads (the bulk reader leaves order ids out: nothing computes with them).</summary>
    private static string Json(NeedsHistory h) => JsonSerializer.Serialize(new
    {
        Needs = NeedsCalculator.Compute(h, NeedsSettings.Default),
        Interactions = h.InteractionsByChannel.OrderBy(x => x.Key, StringComparer.Ordinal),
        Purchases = h.PurchasesByChannel.OrderBy(x => x.Key, StringComparer.Ordinal),
        h.Views,
        Lines = h.Lines.Select(l => l with { OrderId = "" }),
        h.OffersShown,
        h.OffersAccepted,
        h.CouponsApplied,
        h.Statements,
    });
}
