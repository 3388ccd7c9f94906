using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Needs;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Segments;

/// <summary>
/// The fact sources read their tables through a cursor (columns by position, texts shared): each
/// kind of column (text, text that reads as a number, money, count, a column that holds text or a
/// number, a keyed row) must come out as the table holds it, on both stores.
/// </summary>
public sealed class FactSourcesTests
{
    [Theory, BothStores]
    public async Task Sources_EveryKindOfColumn_ReadAsTheTableHoldsIt(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(
            h.Identify("i1", new JsonObject { ["plan"] = "gold", ["age"] = "42", ["email"] = "ann@example.com" }, "ann"),
            h.Identify("i2", new JsonObject { ["plan"] = "gold", ["age"] = "7" }, "bob"),
            h.View("v1", -1, "L1", "Lamps"),
            h.Order("o1", -1, "ann", Channels.Store, [("L1", "Lamps", 30m, 1), ("C1", "Chairs", 12.5m, 2)], coupon: "HALF"),
            h.Event("pref", -1, NeedsEvents.PreferencesStated, new JsonObject { ["values_most"] = "quality" }));
        var (ann, bob) = (await h.OwnerAsync(Identifier.UserId, "ann"), await h.OwnerAsync(Identifier.UserId, "bob"));
        await using var c = await h.Db.OpenAsync();

        var traits = await LoadAsync(new TraitFacts(), c, h, null, "plan", "age", "email", "absent");
        Assert.Equal(("gold", false), (traits[(ann, "plan")].Text, traits[(ann, "plan")].HasNumber));
        Assert.Same(traits[(ann, "plan")].Text, traits[(bob, "plan")].Text); // one string for a repeated value
        Assert.Equal(("42", true, 42.0), (traits[(ann, "age")].Text, traits[(ann, "age")].HasNumber, traits[(ann, "age")].Number));
        Assert.Equal(7.0, traits[(bob, "age")].Number);
        Assert.Equal("ann@example.com", traits[(ann, "email")].Text);
        Assert.DoesNotContain((ann, "absent"), traits.Keys);
        Assert.DoesNotContain((bob, "email"), traits.Keys);

        // Only the customers asked for.
        var annOnly = await LoadAsync(new TraitFacts(), c, h, [ann], "plan");
        Assert.Equal([(ann, "plan")], annOnly.Keys);

        var value = await LoadAsync(new CustomerValueFacts(), c, h, [ann], "revenue", "orders", "tier");
        var stored = await c.QuerySingleAsync<(long Revenue, long Orders)>(
            "SELECT revenue_e4, orders FROM customer_value WHERE customer_id = @ann", new { ann });
        Assert.Equal((stored.Revenue / 10_000.0, (double)stored.Orders), (value[(ann, "revenue")].Number, value[(ann, "orders")].Number));
        Assert.Equal(55.0, value[(ann, "revenue")].Number);

        var needs = await LoadAsync(new NeedsFacts(), c, h, [ann], "top_category", "values_most", "price_sensitivity", "affinity.Lamps", "affinity.Chairs", "channel.store");
        var row = await c.QuerySingleAsync<(string Top, string Values, double Price)>(
            "SELECT top_category, values_most, price_sensitivity FROM customer_needs WHERE customer_id = @ann", new { ann });
        Assert.Equal((row.Top, false), (needs[(ann, "top_category")].Text, needs[(ann, "top_category")].HasNumber));
        Assert.Equal("quality", needs[(ann, "values_most")].Text);
        Assert.Equal((row.Price, true), (needs[(ann, "price_sensitivity")].Number, needs[(ann, "price_sensitivity")].HasNumber));
        var lamps = await c.QuerySingleAsync<double>(
            "SELECT affinity FROM customer_affinity WHERE customer_id = @ann AND category = 'Lamps'", new { ann });
        Assert.Equal(lamps, needs[(ann, "affinity.Lamps")].Number);
        Assert.True(needs[(ann, "affinity.Chairs")].Number > 0);
        Assert.True(needs[(ann, "channel.store")].Number > 0);
    }

    [Theory, BothStores]
    public async Task Load_OnlyAFullLoad_PutsSnapshotsInSharedFieldStorage(StoreKind store)
    {
        // A snapshot loaded on its own (a decision's, kept by the decision cache; a reloaded
        // customer's) must not hold a range of a shared array: one cached snapshot would keep a
        // whole array of dead ranges alive.
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(
            h.Identify("i1", new JsonObject { ["plan"] = "gold" }, "ann"),
            h.Identify("i2", new JsonObject { ["plan"] = "free" }, "bob"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var set = SegmentSet.Compile([SegmentDefinition.Parse("traits.plan = \"gold\"").Definition!]);
        var loader = new SnapshotLoader([new TraitFacts()]);
        await using var c = await h.Db.OpenAsync();

        var all = await loader.LoadAsync(c, null, h.Db.Dialect, set, null, today: 20_000);
        var one = await loader.LoadAsync(c, null, h.Db.Dialect, set, [ann], today: 20_000);

        Assert.Equal(2, all.Count);
        Assert.All(all.Values, s => Assert.True(s.SharesFieldStorage));
        Assert.False(Assert.Single(one.Values).SharesFieldStorage);
        var plan = set.FieldSlotOf("traits.plan");
        Assert.Equal(("gold", "gold"), (all[ann].Field(plan).Text, one[ann].Field(plan).Text));
    }

    [Fact]
    public void FieldTexts_PastItsCapacity_StillReadsEveryValue_AndKeepsOnlyTheFirst()
    {
        var texts = new FieldTexts(capacity: 2);
        var gold = texts.Get("gold"u8);
        Assert.Same(gold.Text, texts.Get("gold"u8).Text);
        Assert.Equal((42.0, "42"), (texts.Get("42"u8).Number, texts.Get("42"u8).Text));
        var unique = texts.Get("ann@example.com"u8);
        Assert.Equal(("ann@example.com", false), (unique.Text, unique.HasNumber));
        Assert.Equal(2, texts.Count);
        Assert.NotSame(unique.Text, texts.Get("ann@example.com"u8).Text);
        Assert.Equal("Café", texts.Get("Café"u8).Text);
    }

    private static async Task<Dictionary<(long Customer, string Key), FieldValue>> LoadAsync(
        ICustomerFactSource source, DbConnection c, CoreHarness h, IReadOnlyList<long>? customers, params string[] keys)
    {
        // Every value comes with the request's own key instance (copies here, so literals interned
        // by the compiler cannot pass for them): the snapshot loader finds slots by reference.
        var requested = keys.Select(k => new string(k.AsSpan())).ToArray();
        var values = new Dictionary<(long, string), FieldValue>();
        var foreign = new List<string>();
        await source.LoadAsync(new FactRequest(c, null, h.Db.Dialect, customers, requested), (customer, key, value) =>
        {
            values[(customer, key)] = value;
            if (!requested.Any(k => ReferenceEquals(k, key)))
            {
                foreign.Add(key);
            }
        }, CancellationToken.None);
        Assert.Empty(foreign);
        return values;
    }
}
