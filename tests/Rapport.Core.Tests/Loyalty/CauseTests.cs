using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>Causes: purchase donations as orders arrive, reversed on refunds and cancellations; points donated on request; the report; reciprocity.</summary>
public sealed class CauseTests
{
    [Theory, BothStores]
    public async Task OrdersRefundsAndPoints_DonationLedger_ReportAndReciprocityAddUp(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program with { DonationPercentMax = 3m });
        var river = await h.Causes.AddAsync("River Trust", null, "https://river.example.org");
        var birds = await h.Causes.AddAsync("Bird Rescue", "Rescue centre", null);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "ann@example.com" }, user: "ann"));
        var ann = await h.CustomerAsync("ann");
        var tooMuch = await h.Causes.SetChoicesAsync(ann, [new(river.Id, 3, 2.5m), new(birds.Id, 1, 1m)]);
        var chosen = await h.Causes.SetChoicesAsync(ann, [new(river.Id, 3, 2m), new(birds.Id, 1, 1m)]);

        var w1 = Ev.Order("W-1", ("CUP", 100m, 1));
        w1["paid_with_points"] = 20m; // cash paid: 80
        await h.SendAsync(
            Ev.Track("o1", 1, "Order Completed", w1, user: "ann"),
            Ev.Track("o1-again", 2, "Order Completed", w1, user: "ann"), // the same order again: counted once
            Ev.Track("r1", 3, "Order Refunded", new JsonObject { ["order_id"] = "W-1", ["total"] = 50m }, user: "ann"),
            Ev.Track("o2", 4, "Order Completed", Ev.Order("W-2", ("CUP", 50m, 1)), user: "ann"),
            Ev.Track("c2", 5, "Order Cancelled", new JsonObject { ["order_id"] = "W-2" }, user: "ann"));
        Assert.Equal(40, await h.BalanceAsync(ann)); // 80 + 50 earned, 40 and 50 taken back

        var tooMany = await h.Donations.DonatePointsAsync(ann, 41, null, "d0");
        var split = await h.Donations.DonatePointsAsync(ann, 40, null, "d1");
        var retry = await h.Donations.DonatePointsAsync(ann, 40, null, "d1");

        Assert.Contains("at most 3%", tooMuch.Problem, StringComparison.Ordinal);
        Assert.Equal(2, chosen.Choices!.Count);
        Assert.Equal(DonationStatus.Insufficient, tooMany.Status);
        Assert.Equal(DonationStatus.Done, split.Status);
        Assert.Equal([30L, 10L], split.Donations.Select(d => d.Points));
        Assert.Equal(0, split.Balance);
        Assert.Equal(DonationStatus.Duplicate, retry.Status);
        Assert.Equal(split.Donations.Select(d => d.Id), retry.Donations.Select(d => d.Id));

        // River: 2% of 80 = 1.60, half refunded (−0.80), 2% of 50 = 1.00 cancelled (−1.00), 30 points = 0.30.
        var report = await h.CauseReports.ReportAsync(null, null, null);
        var r = report.Causes.Single(c => c.CauseId == river.Id);
        Assert.Equal((1.10m, 0.30m, 0.80m, 1.80m, 30L, 3L, 1L), (r.Donated, r.FromPoints, r.FromPurchases, r.Reversed, r.PointsDonated, r.Donations, r.Donors));
        var b = report.Causes.Single(c => c.CauseId == birds.Id);
        Assert.Equal((0.50m, 0.10m, 10L), (b.Donated, b.FromPoints, b.PointsDonated)); // 0.80 − 0.40 + 0.50 − 0.50 + 0.10
        Assert.Equal(1.60m, report.Donated);
        Assert.Equal(0m, (await h.CauseReports.ReportAsync(new DateOnly(2026, 3, 2), null, null)).Donated); // donations are dated 1 March
        Assert.Contains("River Trust,1.10,0.30,0.80,1.80,30,3,1", CauseReports.Csv(report), StringComparison.Ordinal);

        Assert.Equal(1.60m, (await h.Reciprocity.GetAsync(ann))!.ReceivedItems["donations"]);
        await h.AssertBalancedAsync();
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(
            -await c.ExecuteScalarAsync<long>("SELECT SUM(points) FROM cause_donations"),
            await c.ExecuteScalarAsync<long>("SELECT SUM(points) FROM loyalty_entries WHERE kind = 'donate'"));
    }

    [Theory, BothStores]
    public async Task DonateToOneCause_NoChoicesNeeded_RetiredCauseRefused(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        var birds = await h.Causes.AddAsync("Bird Rescue", null, null);
        var gone = await h.Causes.AddAsync("Old Cause", null, null);
        await h.Causes.RetireAsync(gone.Id);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("W-1", ("CUP", 100m, 1)), user: "bob"));
        var bob = await h.CustomerAsync("bob");

        var noChoice = await h.Donations.DonatePointsAsync(bob, 10, null, null);
        var retired = await h.Donations.DonatePointsAsync(bob, 10, gone.Id, null);
        var given = await h.Donations.DonatePointsAsync(bob, 60, birds.Id, null);

        Assert.Equal(DonationStatus.NoCause, noChoice.Status);
        Assert.Equal(DonationStatus.NoCause, retired.Status);
        Assert.Equal(0.60m, Assert.Single(given.Donations).Amount); // 60 points × 0.01
        Assert.Equal(40, await h.BalanceAsync(bob));
        Assert.Equal(["Bird Rescue"], (await h.Causes.ListAsync(false)).Select(x => x.Name));
        Assert.Equal(2, (await h.Causes.ListAsync(true)).Count);
        Assert.Equal(0.60m, (await h.Reciprocity.GetAsync(bob))!.ReceivedItems["donations"]);
        await h.AssertBalancedAsync();
    }
}
