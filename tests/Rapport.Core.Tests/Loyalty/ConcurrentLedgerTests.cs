using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>
/// Earnings and redemptions sent at once share commits (group commit): each still sees the
/// balance the earlier ones left, a refused redemption changes nothing, and the ledger balances.
/// </summary>
public sealed class ConcurrentLedgerTests
{
    [Theory, BothStores]
    public async Task ConcurrentEarnAndRedeem_BalancesExact_RefusalsChangeNothing_LedgerBalanced(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("a", 0, new JsonObject(), user: "ann"), Ev.Identify("b", 1, new JsonObject(), user: "bob"));
        var ann = await h.CustomerAsync("ann");
        var bob = await h.CustomerAsync("bob");
        foreach (var customer in new[] { ann, bob })
        {
            Assert.Equal(LoyaltyStatus.Done, (await h.Ledger.EarnAsync(customer, 200, null, null, null)).Status);
        }

        // Per customer: 40 earnings of 10 and 50 redemptions of 10, all in flight together. Whatever
        // order they run in, a redemption succeeds exactly when the balance covers it: the first
        // 200 points cover at least 20 of them, and the balance is 200 + 400 − 10 × redeemed.
        var calls = new List<Task<LoyaltyResult>>();
        for (var i = 0; i < 90; i++)
        {
            foreach (var customer in new[] { ann, bob })
            {
                calls.Add(i % 9 < 4
                    ? Task.Run(() => h.Ledger.EarnAsync(customer, 10, null, null, null))
                    : Task.Run(() => h.Ledger.RedeemAsync(customer, 10, null, null, null)));
            }
        }

        var results = await Task.WhenAll(calls);

        foreach (var customer in new[] { ann, bob })
        {
            var redeemed = results.Count(r => r.Operation is { Kind: "redeem" } op && op.CustomerId == customer);
            Assert.Equal(40, results.Count(r => r.Operation is { Kind: "earn" } op && op.CustomerId == customer));
            Assert.InRange(redeemed, 20, 50);
            Assert.Equal(600 - (10 * redeemed), await h.BalanceAsync(customer));
        }

        Assert.Equal(180, results.Count(r => r.Status is LoyaltyStatus.Done) + results.Count(r => r.Status is LoyaltyStatus.Insufficient));
        await h.AssertBalancedAsync();
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(
            results.Count(r => r.Status is LoyaltyStatus.Done),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM loyalty_operations") - 2);
    }
}
