using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Value;

/// <summary>The bulk recomputation: RFM quintiles, percentiles, tiers, Pareto, and scoring newcomers in between.</summary>
public sealed class ValueRecomputeTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Customer i (0..19) buys i+1 times, £100 each, the last time on day 10·i.</summary>
    private static List<TestSale> Twenty() =>
        Enumerable.Range(0, 20)
            .SelectMany(i => Enumerable.Range(0, i + 1).Select(k => new TestSale($"C{i:D2}", Start.AddDays(10 * i - k), 100m)))
            .ToList();

    [Theory, BothStores]
    public async Task Recompute_TwentyCustomers_QuintilesTiersPercentilesAndPareto(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, Twenty());

        var summary = await v.Recompute.RunAsync(rebuild: false);

        Assert.Equal((20L, 20L), (summary.Customers, summary.Buyers));
        Assert.Equal([1L, 3L, 6L, 10L], summary.Tiers.Select(t => t.Customers));
        // Top 20% = 4 customers (17..20 orders) of 210 orders of £100.
        Assert.Equal(74.0 / 210, summary.RevenueShareOfTop!.Value, 9);
        var top = await ValueTestData.ValueAsync(h.Db, ids["C19"]);
        var bottom = await ValueTestData.ValueAsync(h.Db, ids["C00"]);
        var middle = await ValueTestData.ValueAsync(h.Db, ids["C09"]);
        Assert.Equal(("platinum", 5L, 5L, 5L, 1.0), (top.Tier, top.RfmR, top.RfmF, top.RfmM, top.MarginPercentile));
        Assert.Equal(("bronze", 1L, 1L, 1L, 0.05), (bottom.Tier, bottom.RfmR, bottom.RfmF, bottom.RfmM, bottom.MarginPercentile));
        Assert.Equal(("bronze", 3L, 3L, 3L), (middle.Tier, middle.RfmR, middle.RfmF, middle.RfmM));
        Assert.Equal("gold", (await ValueTestData.ValueAsync(h.Db, ids["C16"])).Tier);
        Assert.Equal("silver", (await ValueTestData.ValueAsync(h.Db, ids["C15"])).Tier);

        var pareto = await v.Queries.ParetoAsync(0.2, 11);
        Assert.Equal((20L, 4L), (pareto.Customers, pareto.TopCustomers));
        Assert.Equal(74.0 / 210, pareto.Revenue.ShareOfTop!.Value, 9);
        Assert.Equal(21_000m, pareto.Revenue.Total);
        Assert.Equal(11, pareto.Curve.Count);
        Assert.Equal(1.0, pareto.Curve[^1].RevenueShare!.Value, 9);
    }

    [Theory, BothStores]
    public async Task NewOrder_AfterRecompute_ScoredAgainstThePopulationAtOnce(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await ValueTestData.InsertSalesAsync(h.Writer, Twenty());
        await v.Recompute.RunAsync(rebuild: false);

        await h.SendAsync(Ev.Track("big", 0, "Order Completed", Ev.Order("BIG-1", ("SOFA", 5_000m, 1)), user: "newcomer"));

        var newcomer = await ValueTestData.ValueAsync(h.Db, await h.OwnerAsync(Identifier.UserId, "newcomer"));
        Assert.Equal("platinum", newcomer.Tier);
        Assert.Equal((5L, 1L, 5L), (newcomer.RfmR, newcomer.RfmF, newcomer.RfmM)); // latest buyer, one order, most spent
        Assert.Equal(1.0, newcomer.RevenuePercentile);
    }

    [Theory, BothStores]
    public async Task Rebuild_AfterUnitCostChange_MarginsFollowTheNewCost(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, Twenty());
        await ValueTestData.SetUnitCostAsync(h.Db, "GOODS", 40m, 100m);

        var plain = await v.Recompute.RunAsync(rebuild: false);
        var marginBefore = (await ValueTestData.ValueAsync(h.Db, ids["C00"])).MarginE4;
        var rebuilt = await v.Recompute.RunAsync(rebuild: true);

        Assert.False(plain.Rebuilt);
        Assert.True(rebuilt.Rebuilt);
        Assert.Equal(100m, Money.FromStorage(marginBefore));
        var after = await ValueTestData.ValueAsync(h.Db, ids["C00"]);
        Assert.Equal((60m, 40m), (Money.FromStorage(after.MarginE4), Money.FromStorage(after.CostE4)));
        Assert.Equal("bronze", after.Tier);
        Assert.Equal(20L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM customer_value WHERE tier IS NOT NULL"));
    }

    [Theory, BothStores]
    public async Task Recompute_ProspectWithOnlyACost_HasNoScores(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await ValueTestData.InsertSalesAsync(h.Writer, Twenty());
        await h.SendAsync(Ev.Identify("i1", 0, new() { ["name"] = "Prospect" }, user: "p"));
        var prospect = await h.OwnerAsync(Identifier.UserId, "p");
        await v.Costs.RecordAsync(prospect, "support", 12m, null, null, null);

        var summary = await v.Recompute.RunAsync(rebuild: false);

        var value = await ValueTestData.ValueAsync(h.Db, prospect);
        Assert.Equal((21L, 20L), (summary.Customers, summary.Buyers));
        Assert.Equal((0L, -12m), (value.Orders, Money.FromStorage(value.MarginE4)));
        Assert.Null(value.Tier);
        Assert.Null(value.RfmR);
        Assert.Null(value.MarginPercentile);
    }

    [Theory, BothStores]
    public async Task Recompute_Twice_KeepsOnePopulationPerRunAndTheScores(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await ValueTestData.InsertSalesAsync(h.Writer, Twenty());

        var first = await v.Recompute.RunAsync(rebuild: false);
        var second = await v.Recompute.RunAsync(rebuild: false);

        Assert.True(second.Id > first.Id);
        Assert.Equal((20L, 0L), (first.Changed, second.Changed)); // nothing moved: nothing rewritten
        Assert.Equal(2L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM value_population"));
        Assert.Equal(first.Tiers, second.Tiers);
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customer_value WHERE tier IS NULL"));
    }
}
