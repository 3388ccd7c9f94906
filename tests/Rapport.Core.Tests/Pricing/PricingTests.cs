using Dapper;
using Rapport.Core.Pricing;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Loyalty;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Pricing;

namespace Rapport.Core.Tests.Pricing;

/// <summary>Volume pricing and contracts on both stores: quotes from catalogue prices, a contract applied while in force and not after it expires, commitment progress.</summary>
public sealed class PricingTests
{
    [Theory, BothStores]
    public async Task Quote_ContractInForceThenExpired_VolumeBreakStillApplies(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("INSERT INTO products (sku, name, category, price_e4, available, updated_at) VALUES ('COFFEE', 'Coffee', 'drinks', 100000, 1, 0)");
        }

        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("W-1", ("COFFEE", 10m, 30)), user: "acme")); // 1 Feb 2026: 300
        var acme = await h.CustomerAsync("acme");
        var contracts = new Contracts(h.Writer, h.Clock);
        var pricing = new VolumePricing(h.Writer, contracts);
        await pricing.AddRuleAsync(new VolumeRule(0, VolumeRule.Product, "COFFEE", [new PriceBreak(10, DiscountPercent: 10)]));
        var (contract, _) = await contracts.AddAsync(new ContractSpec(
            acme, null, "Acme 2026", new Dictionary<string, decimal> { ["COFFEE"] = 8m }, 0, new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31), 1000m));
        var (none, problem) = await contracts.AddAsync(new ContractSpec(424242, null, null, null, 5, new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31), 0));

        var during = (await pricing.QuoteAsync(acme, [new QuoteRequestLine("COFFEE", 12, null)])).Quote!;
        var stranger = (await pricing.QuoteAsync(null, [new QuoteRequestLine("COFFEE", 12, null)])).Quote!;
        var unknown = await pricing.QuoteAsync(acme, [new QuoteRequestLine("NOPE", 1, null)]);
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var after = (await pricing.QuoteAsync(acme, [new QuoteRequestLine("COFFEE", 12, null)])).Quote!;

        Assert.Equal((8m, $"contract:{contract!.Id}"), (during.Lines[0].UnitPrice, during.Lines[0].Source));
        Assert.Equal(9m, stranger.Lines[0].UnitPrice);
        Assert.Contains("'NOPE' has no price", unknown.Problem, StringComparison.Ordinal);
        Assert.Null(none);
        Assert.Contains("no customer 424242", problem, StringComparison.Ordinal);
        Assert.Equal((9m, "volume:1"), (after.Lines[0].UnitPrice, after.Lines[0].Source)); // expired: no longer applied
        var view = (await contracts.GetAsync(contract.Id))!;
        Assert.Equal((ContractRules.Expired, 300m, 700m), (view.Status, view.Spent, view.Shortfall));
        Assert.Single(await contracts.ListAsync(acme));


        var (renewed, _) = await contracts.AddAsync(new ContractSpec(acme, null, "Acme renewal", null, 30, new DateOnly(2026, 4, 1), new DateOnly(2026, 12, 31), 0));
        Assert.Equal(7m, (await pricing.QuoteAsync(acme, [new QuoteRequestLine("COFFEE", 12, null)])).Quote!.Lines[0].UnitPrice); // 30% off
        await contracts.CancelAsync(renewed!.Id);
        Assert.Equal(9m, (await pricing.QuoteAsync(acme, [new QuoteRequestLine("COFFEE", 12, null)])).Quote!.Lines[0].UnitPrice); // cancelled: not applied
    }
}
