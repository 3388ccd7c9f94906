using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Erasure;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Preferences;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Needs;

namespace Rapport.Core.Tests.Needs;

/// <summary>
/// The bulk reader keeps a range's histories in flat arrays (<see cref="NeedsHistoryBuffer"/>)
/// and groups them by customer at the end: each customer must get exactly their own rows, in
/// time order, whatever order the store returned them in.
/// </summary>
public sealed class NeedsHistoryBufferTests
{
    [Fact]
    public void Text_IsKeptFromRangeToRange_UntilItHoldsMoreTextsThanItsCap()
    {
        var b = new NeedsHistoryBuffer();
        var lamps = b.Text.Get("Lamps"u8);
        b.Clear();
        Assert.Same(lamps, b.Text.Get("Lamps"u8)); // the next range gets the same string, not a new one

        // Past its cap (texts that are not a catalogue's, say), the next range starts a new interner.
        for (var i = 0; i <= 200_000; i++)
        {
            b.Text.Get(System.Text.Encoding.UTF8.GetBytes($"sku-{i}"));
        }

        var full = b.Text;
        b.Clear();
        Assert.NotSame(full, b.Text);
        Assert.Equal(0, b.Text.Count);
    }

    [Fact]
    public void Build_RowsOfCustomersInterleavedAndOutOfTimeOrder_EachGetsTheirOwnInTimeOrder()
    {
        var b = new NeedsHistoryBuffer();
        var expectedViews = new Dictionary<long, List<ProductView>>();
        var expectedLines = new Dictionary<long, List<PurchaseLine>>();
        var random = new Random(7);
        for (var i = 0; i < 5_000; i++)
        {
            // As PostgreSQL's hash joins may return them: customers interleaved, times in any order.
            var id = 100 + random.Next(40);
            var at = random.Next(50); // many equal times: the store's order must be kept among them
            var view = new ProductView(at, "c" + i);
            var line = new PurchaseLine("", at, "sku" + i, null, 1, i, null, false);
            b.View(b.Slot(id), view, null);
            b.Line(b.Slot(id), line);
            (expectedViews.TryGetValue(id, out var v) ? v : expectedViews[id] = []).Add(view);
            (expectedLines.TryGetValue(id, out var l) ? l : expectedLines[id] = []).Add(line);
        }

        // Interactions counted one event at a time, customers and channels interleaved.
        foreach (var (id, channel) in new[] { (100, "web"), (101, "app"), (100, "web"), (100, "email"), (101, "app"), (100, "web") })
        {
            b.Interaction(b.Slot(id), channel);
        }

        // Sales as the lines query returns them, a row per line: an order's rows interleaved with
        // another's (PostgreSQL may), and an order id another customer also has. Each order counts once.
        foreach (var (id, order) in new[] { (100, "o-1"), (100, "o-1"), (100, "o-2"), (100, "o-1"), (102, "o-1"), (100, "o-2") })
        {
            if (b.FirstSightOfOrder(b.Slot(id), System.Text.Encoding.UTF8.GetBytes(order)))
            {
                b.Purchase(b.Slot(id), id == 100 ? "store" : "app");
            }
        }

        for (var i = 0; i < 3; i++)
        {
            b.Interaction(b.Slot(101), "app");
        }
        b.Offer(b.Slot(101), NeedsEvents.CouponApplied);
        b.State(b.Slot(101), new PreferenceStatement(1, "trait values_most (x)", "price", null));
        b.CouponOrder(b.Slot(102), "o-1");

        var histories = b.Build();

        Assert.Equal(expectedViews.Keys.Order(), histories.Keys.Order());
        foreach (var (id, views) in expectedViews)
        {
            Assert.Equal(views.OrderBy(x => x.At).ToList(), histories[id].Views); // OrderBy is stable
            Assert.Equal(expectedLines[id].OrderBy(x => x.At).ToList(), histories[id].Lines);
        }

        Assert.Equal(new[] { ("email", 1L), ("web", 3L) }, histories[100].InteractionsByChannel.Select(x => (x.Key, x.Value)).Order());
        Assert.Equal(2, histories[100].PurchasesByChannel["store"]);
        Assert.False(histories[100].PurchasesByChannel.ContainsKey("web"));
        Assert.Equal(("app", 1L), histories[102].PurchasesByChannel.Select(x => (x.Key, x.Value)).Single());
        Assert.Equal(5, histories[101].InteractionsByChannel["app"]);
        Assert.Empty(histories[101].PurchasesByChannel);
        Assert.Equal((1L, 1L), (histories[101].OffersAccepted, histories[101].CouponsApplied));
        Assert.Equal("price", histories[101].Statements.Single().ValuesMost);
        Assert.Empty(histories[100].Statements);
        Assert.True(b.IsCouponOrder(b.Slot(102), "o-1"));
        Assert.False(b.IsCouponOrder(b.Slot(101), "o-1")); // a coupon is the customer's own order's
    }

    [Theory, BothStores]
    public async Task BulkReader_ErasedMergedAndSilentCustomers_EscapedCouponKey_SameAsTheAdoNetReader(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        var order = h.Order("esc", -2, "dora", Channels.Web, [("C1", "Chairs", 10m, 1)], coupon: "WELCOME");
        await h.SendAsync(
            // A client's own JSON, stored as sent: the coupon key written with an escape.
            order with { PayloadJson = order.Payload.ToJsonString().Replace("\"coupon\"", "\"\\u0063oupon\"", StringComparison.Ordinal) },
            h.Order("plain", -3, "dora", Channels.Web, [("C1", "Chairs", 10m, 1)]),
            new IncomingEvent("anon-v", "track", EcommerceEvents.ProductViewed, Channels.App, null, "device-1", h.Clock.GetUtcNow().AddDays(-1),
                new JsonObject { ["product_id"] = "L1", ["category"] = "Lamps" }, null, null),
            h.Identify("silent", new JsonObject { ["plan"] = "pro" }, "sam"), // a customer with no history needs read
            h.Order("e1", -2, "erin", Channels.Web, [("S1", "Sofas", 300m, 1)]),
            h.View("ev", -2, "S1", "Sofas", user: "erin"));
        await h.SendAsync(h.Identify("login", [], "dora", anon: "device-1")); // the visitor merges into dora
        var erin = await h.OwnerAsync(Identifier.UserId, "erin");
        var requests = new ErasureRequests(h.Db, h.Writer, h.Events, h.Clock);
        var executor = new ErasureExecutor(h.Writer, h.Identity, new ErasedCustomers(h.Db, h.Clock), requests);
        await executor.ExecuteAsync((await requests.RequestAsync(erin, "preference-centre", "web"))!.Id, "admin");

        await using var connection = await h.Db.OpenAsync();
        var ids = (await connection.QueryAsync<long>("SELECT id FROM customers ORDER BY id")).ToList();
        var byAdoNet = await NeedsReader.ReadAsync(connection, null, h.Db.Dialect, ids, CancellationToken.None);
        var byRange = NeedsBulkReader.ReadRange(connection, null, h.Db.Dialect, ids[0], ids[^1]);

        Assert.Equal(byAdoNet.Keys.Order(), byRange.Keys.Order());
        Assert.DoesNotContain(await h.OwnerAsync(Identifier.UserId, "sam"), byRange.Keys);
        foreach (var (id, history) in byAdoNet)
        {
            Assert.Equal(Json(history), Json(byRange[id]));
        }

        var dora = NeedsCalculator.Compute(byRange[await h.OwnerAsync(Identifier.UserId, "dora")], NeedsSettings.Default);
        Assert.Equal(1, dora.PriceSensitivity.DiscountedUnits); // the escaped coupon's order, not the plain one
        Assert.Contains(dora.Affinity, a => a.Category == "Lamps"); // the merged visitor's view
    }

    /// <summary>The computed needs and what they are computed from, views and lines in time order (order ids left out: the bulk reader reads none).</summary>
    private static string Json(NeedsHistory h) => JsonSerializer.Serialize(new
    {
        Needs = NeedsCalculator.Compute(h, NeedsSettings.Default),
        Interactions = h.InteractionsByChannel.OrderBy(x => x.Key, StringComparer.Ordinal),
        Purchases = h.PurchasesByChannel.OrderBy(x => x.Key, StringComparer.Ordinal),
        Views = h.Views.Select((v, i) => (v, i)).OrderBy(x => x.v.At).ThenBy(x => x.i).Select(x => x.v),
        Lines = h.Lines.Select((l, i) => (l, i)).OrderBy(x => x.l.At).ThenBy(x => x.i).Select(x => x.l with { OrderId = "" }),
        h.OffersShown,
        h.OffersAccepted,
        h.CouponsApplied,
        h.Statements,
    });
}
