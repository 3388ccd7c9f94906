using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>Points earned from orders and events, redeemed, expired and taken back on returns, on both stores.</summary>
public sealed class PointsTests
{
    internal static readonly LoyaltyProgram Program = new()
    {
        PointsPerUnit = 1m,
        Categories = new Dictionary<string, decimal> { ["garden"] = 2m },
        Events = new Dictionary<string, long> { ["Review Submitted"] = 50 },
        Tiers = [new("member", 0m, 1m), new("gold", 1000m, 2m)],
        TierGraceDays = 30,
        ExpiryDays = 365,
        Redemption = new RedemptionLimits(Min: 10, Max: 500, PerDay: 600),
    };

    [Theory, BothStores]
    public async Task OrderCompleted_CategoryRate_EarnsAndRefundTakesBackItsShare(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        var order = Ev.Order("W-1", ("SPADE", 60m, 1), ("CUP", 40m, 1));
        ((JsonObject)order["products"]![0]!)["category"] = "garden";
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", order, user: "ann"));
        var ann = await h.CustomerAsync("ann");
        Assert.Equal(160, await h.BalanceAsync(ann)); // 60·2 + 40·1

        var refund = new JsonObject { ["order_id"] = "W-1", ["total"] = 25m };
        await h.SendAsync(Ev.Track("r1", 10, "Order Refunded", refund, user: "ann"));
        await h.SendAsync(Ev.Track("r1-again", 11, "Order Completed", Ev.Order("W-1", ("SPADE", 60m, 1)), user: "ann")); // same order: no second earning

        Assert.Equal(120, await h.BalanceAsync(ann)); // a quarter of 160 taken back
        await h.AssertBalancedAsync();
    }

    [Theory, BothStores]
    public async Task OrderCompleted_PartPaidWithPoints_OnlyTheCashPartEarns(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        var order = Ev.Order("W-2", ("CUP", 100m, 1));
        order["paid_with_points"] = 30m;

        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", order, user: "ann"));

        Assert.Equal(70, await h.BalanceAsync(await h.CustomerAsync("ann")));
    }

    [Theory, BothStores]
    public async Task Refund_PointsAlreadySpent_DebtLotThenRepaidByTheNextOrder(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("W-1", ("CUP", 100m, 1)), user: "ann"));
        var ann = await h.CustomerAsync("ann");
        Assert.Equal(LoyaltyStatus.Done, (await h.Ledger.RedeemAsync(ann, 80, "k1", null, null)).Status);

        await h.SendAsync(Ev.Track("r1", 10, "Order Refunded", new JsonObject { ["order_id"] = "W-1" }, user: "ann"));

        var account = (await h.Queries.AccountAsync(ann))!;
        Assert.Equal(-80, account.Balance);
        Assert.Equal(-80, Assert.Single(account.Lots, l => l.Kind == PointLot.Debt).Remaining);
        await h.AssertBalancedAsync();

        await h.SendAsync(Ev.Track("o2", 20, "Order Completed", Ev.Order("W-2", ("CUP", 50m, 1)), user: "ann"));
        account = (await h.Queries.AccountAsync(ann))!;
        Assert.Equal(-30, account.Balance);
        Assert.Equal(LoyaltyStatus.Insufficient, (await h.Ledger.RedeemAsync(ann, 10, "k2", null, null)).Status);
        await h.AssertBalancedAsync();
    }

    [Theory, BothStores]
    public async Task Redeem_MoreThanBalanceLimitsAndRetry_ClearOutcomes(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("W-1", ("CUP", 700m, 1)), user: "ann"));
        var ann = await h.CustomerAsync("ann");

        var tooMuch = await h.Ledger.RedeemAsync(ann, 800, "a", null, null);
        var tooFew = await h.Ledger.RedeemAsync(ann, 5, "b", null, null);
        var first = await h.Ledger.RedeemAsync(ann, 400, "c", null, null);
        var retry = await h.Ledger.RedeemAsync(ann, 400, "c", null, null);
        var overDaily = await h.Ledger.RedeemAsync(ann, 300, "d", null, null);

        Assert.Equal(LoyaltyStatus.LimitExceeded, tooMuch.Status); // over the max of 500
        Assert.Equal(LoyaltyStatus.LimitExceeded, tooFew.Status);
        Assert.Contains("at least 10", tooFew.Problem, StringComparison.Ordinal);
        Assert.Equal((LoyaltyStatus.Done, 300L), (first.Status, first.Balance));
        Assert.Equal(LoyaltyStatus.Duplicate, retry.Status);
        Assert.Equal(first.Operation!.Id, retry.Operation!.Id);
        Assert.Equal(LoyaltyStatus.LimitExceeded, overDaily.Status);
        Assert.Contains("200 are left", overDaily.Problem, StringComparison.Ordinal);
        Assert.Equal(300, await h.BalanceAsync(ann));

        h.Clock.Advance(TimeSpan.FromDays(1));
        var insufficient = await h.Ledger.RedeemAsync(ann, 301, "e", null, null);
        Assert.Equal(LoyaltyStatus.Insufficient, insufficient.Status);
        Assert.Contains("the balance is 300 points", insufficient.Problem, StringComparison.Ordinal);
        await h.AssertBalancedAsync();
    }

    [Theory, BothStores]
    public async Task Redeem_AfterExpiry_FailsWithTheExpiryDate(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program with { ExpiryDays = 30 });
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("W-1", ("CUP", 100m, 1)), user: "ann"));
        var ann = await h.CustomerAsync("ann");
        h.Clock.SetUtcNow(Ev.At(0).AddDays(31));

        var result = await h.Ledger.RedeemAsync(ann, 50, "x", null, null);

        Assert.Equal(LoyaltyStatus.Insufficient, result.Status);
        Assert.Equal(Ev.At(0).AddDays(30), result.LastExpiry);
        Assert.Contains($"Points expired on {Ev.At(0).AddDays(30):yyyy-MM-dd}", result.Problem, StringComparison.Ordinal);
        Assert.Equal(0, result.Balance);
        await h.AssertBalancedAsync();
    }

    [Theory, BothStores]
    public async Task ConfiguredEventAndApiEarn_Earn_AndRewardRedemptionCostsTheMargin(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        await h.SendAsync(Ev.Track("rv1", 0, "Review Submitted", new JsonObject { ["product_id"] = "CUP" }, user: "ann"));
        var ann = await h.CustomerAsync("ann");
        var earned = await h.Ledger.EarnAsync(ann, null, "Review Submitted", "api-1", null);
        var manual = await h.Ledger.EarnAsync(ann, 25, null, "api-2", "goodwill");
        var reward = await h.Rewards.AddAsync("Free coffee", 100, 3.5m);

        var redeemed = await h.Ledger.RedeemAsync(ann, null, "r-1", reward.Id, null);

        Assert.Equal(LoyaltyStatus.Done, earned.Status);
        Assert.Equal(25, manual.Operation!.Points);
        Assert.Equal(LoyaltyStatus.Done, redeemed.Status);
        Assert.Equal((100L, "Free coffee"), (redeemed.Operation!.Points, redeemed.Operation.Note));
        Assert.Equal(25, await h.BalanceAsync(ann)); // 50 + 50 + 25 − 100
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(1m, Money.FromStorage(await c.ExecuteScalarAsync<long>(
            "SELECT amount_e4 FROM customer_costs WHERE customer_id = @ann AND kind = 'reward'", new { ann }))); // 100 × 0.01
    }

    [Theory, BothStores]
    public async Task NightlyExpiry_LotsPastTheirDate_ExpiredSetBasedAndLedgerBalanced(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program with { ExpiryDays = 60 });
        await h.SendAsync(
            Ev.Track("o1", 0, "Order Completed", Ev.Order("W-1", ("CUP", 100m, 1)), user: "ann"),
            Ev.Track("o2", 0, "Order Completed", Ev.Order("W-2", ("CUP", 40m, 1)), user: "bob"));
        h.Clock.SetUtcNow(Ev.At(0).AddDays(40));
        await h.SendAsync(Ev.Track("o3", 60 * 24 * 40, "Order Completed", Ev.Order("W-3", ("CUP", 10m, 1)), user: "ann"));
        h.Clock.SetUtcNow(Ev.At(0).AddDays(60));

        var summary = await h.Expiry.RunAsync();
        var again = await h.Expiry.RunAsync();

        Assert.Equal((2L, 140L), (summary.LotsExpired, summary.PointsExpired));
        Assert.Equal(0L, again.LotsExpired);
        Assert.Equal(10, await h.BalanceAsync(await h.CustomerAsync("ann")));
        Assert.Equal(0, await h.BalanceAsync(await h.CustomerAsync("bob")));
        var ledger = (await h.Queries.LedgerAsync(await h.CustomerAsync("ann"), 10, null))!;
        Assert.Equal(LedgerEntry.Expired, ledger.Items[0].Kind);
        Assert.Equal(-100, ledger.Items[0].Points);
        await h.AssertBalancedAsync();
    }
}
