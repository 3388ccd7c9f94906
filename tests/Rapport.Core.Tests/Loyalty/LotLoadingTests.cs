using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>
/// Earning and redemption read only the lots they change (LotStore.LoadToEarnAsync and
/// LoadToSpendAsync: due lots, debts, the oldest lots that cover a redemption) and sum the rest
/// in SQL. These check the outcome is what a ledger holding every lot gives, on both stores.
/// </summary>
public sealed class LotLoadingTests
{
    private static readonly LoyaltyProgram Program = new() { PointsPerUnit = 1m, ExpiryDays = 10 };

    [Theory, BothStores]
    public async Task ManyOpenLots_RedeemSpendsTheOldestInOrder_EarnAndBalanceExact(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program with { ExpiryDays = 3650 });
        var ann = await CustomerAsync(h, "ann");
        for (var i = 1; i <= 500; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(LoyaltyStatus.Done, (await h.Ledger.EarnAsync(ann, i % 7 + 1, null, null, null)).Status);
        }

        var total = Enumerable.Range(1, 500).Sum(i => (long)(i % 7 + 1));

        // 30 lots' worth and a bit: more than the first read of 8 rows covers.
        var want = Enumerable.Range(1, 30).Sum(i => (long)(i % 7 + 1)) + 2;
        var redeemed = await h.Ledger.RedeemAsync(ann, want, "big", null, null);

        Assert.Equal(LoyaltyStatus.Done, redeemed.Status);
        Assert.Equal(total - want, redeemed.Balance);
        var remaining = await RemainingOldestFirstAsync(h, ann);
        Assert.All(remaining.Take(30), r => Assert.Equal(0L, r));
        Assert.Equal(31 % 7 + 1 - 2, remaining[30]); // lot 31 partly spent
        Assert.Equal(Enumerable.Range(32, 469).Select(i => (long)(i % 7 + 1)), remaining.Skip(31));

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var earned = await h.Ledger.EarnAsync(ann, 5, null, null, null);
        Assert.Equal(total - want + 5, earned.Balance);
        Assert.Equal(total - want + 5, await h.BalanceAsync(ann));
        var refused = await h.Ledger.RedeemAsync(ann, total, "too-much", null, null);
        Assert.Equal(LoyaltyStatus.Insufficient, refused.Status);
        Assert.Equal(total - want + 5, refused.Balance);
        await h.AssertBalancedAsync();
    }

    [Theory, BothStores]
    public async Task RandomEarnRedeemAndExpiry_SameOutcomesAsALedgerHoldingEveryLot(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        var ann = await CustomerAsync(h, "ann");
        var model = new PointLedger([]);
        var random = new Random(20261126);
        for (var step = 0; step < 120; step++)
        {
            h.Clock.Advance(TimeSpan.FromHours(random.Next(0, 60)));
            var now = h.Clock.GetUtcNow();
            model.ExpireDue(now);
            if (random.Next(3) > 0)
            {
                var points = random.Next(1, 40);
                model.Earn(points, now, now.AddDays(Program.ExpiryDays), null);
                var result = await h.Ledger.EarnAsync(ann, points, null, $"e{step}", null);
                Assert.Equal(LoyaltyStatus.Done, result.Status);
                Assert.Equal(model.Balance, result.Balance);
            }
            else
            {
                var points = random.Next(1, 150);
                var expected = model.Redeem(points) ? LoyaltyStatus.Done : LoyaltyStatus.Insufficient;
                var result = await h.Ledger.RedeemAsync(ann, points, $"r{step}", null, null);
                Assert.Equal(expected, result.Status);
                Assert.Equal(model.Balance, result.Balance);
            }

            // The account page still loads every open lot: the two paths agree.
            Assert.Equal(model.Balance, await h.BalanceAsync(ann));
        }

        Assert.Equal(model.Lots.Select(l => l.Remaining), await RemainingOldestFirstAsync(h, ann));
        await h.AssertBalancedAsync();
    }

    private static async Task<long> CustomerAsync(LoyaltyHarness h, string user)
    {
        await h.SendAsync(Ev.Identify(user, 0, new JsonObject(), user: user));
        return await h.CustomerAsync(user);
    }

    private static async Task<List<long>> RemainingOldestFirstAsync(LoyaltyHarness h, long customer)
    {
        await using var c = await h.Db.OpenAsync();
        return (await c.QueryAsync<long>("SELECT remaining FROM loyalty_lots WHERE customer_id = @customer ORDER BY earned_at, id", new { customer })).ToList();
    }
}
