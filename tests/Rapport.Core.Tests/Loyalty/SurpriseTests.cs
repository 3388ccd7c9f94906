using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Events;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Decisioning;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>Surprise and delight on both stores: budget, spacing, control group, consent, the timeline, tasks and the effect report.</summary>
public sealed class SurpriseTests
{
    private static readonly SurpriseProgram Notes = new()
    {
        Name = "Thank-you notes", Budget = 40m, Gift = new SurpriseGift(SurpriseGift.Note, 5m), HoldoutShare = 0.3, MaxPerRun = 3,
        Spacing = new SurpriseSpacing(MinDaysBetween: 30, MaxPerPeriod: 2, PeriodDays: 365),
        Eligibility = new SurpriseEligibility(LoyaltyTiers: ["member"]), Assignee = "sam",
    };

    [Theory, BothStores]
    public async Task RunsOverMonths_BudgetSpacingAndControlGroup_Honoured(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        await BuyersAsync(h, 20);
        await h.SendAsync(Ev.Identify("n", 30, new JsonObject { ["email"] = "nobody@example.com" }, user: "nobody")); // no order, no loyalty tier
        var nobody = await h.CustomerAsync("nobody");
        var id = (await h.Surprises.AddAsync(Notes)).Id;
        var start = h.Clock.GetUtcNow();

        var runs = new List<SurpriseRun>();
        foreach (var day in new[] { 0, 0, 10, 40, 80 })
        {
            h.Clock.SetUtcNow(start.AddDays(day));
            runs.Add((await h.SurpriseRunner.RunAsync(id))!);
            await AssertInvariantsAsync(h, id, nobody);
        }

        Assert.Equal([3L, 3L, 2L, 0L, 0L], runs.Select(r => r.Gifts)); // 8 × 5 = 40: the budget is spent exactly
        Assert.Equal(0m, runs[^1].BudgetLeft);
        Assert.Equal(20, runs[0].Eligible); // the customer without a loyalty tier is not eligible
        Assert.True(runs.Sum(r => r.HeldOut) > 0, "some customers were held out");
        await using var c = await h.Db.OpenAsync();
        var treated = await c.ExecuteScalarAsync<long>("SELECT customer_id FROM surprise_gifts WHERE control = 0 ORDER BY id LIMIT 1");
        Assert.Equal(5m, (await h.Reciprocity.GetAsync(treated))!.ReceivedItems["surprises"]);
        Assert.Equal(8, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Surprise Given'"));
        Assert.Equal(8, (await h.SurpriseEffects.TasksAsync("open")).Count(t => t.Assignee == "sam" && t.Kind == "handwritten-note"));
    }

    [Theory, BothStores]
    public async Task AnnouncedGift_OnlyCustomersWhoConsented(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        await BuyersAsync(h, 2);
        var consent = new ConsentService(h.Db, h.Writer, new ConsentOptions(), h.Clock);
        var update = ConsentRequestParser.Parse((JsonObject)JsonNode.Parse("""{"consents": {"marketing": {"email": true}}}""")!, "api").Update!;
        await consent.UpdateAsync(await h.CustomerAsync("c1"), update, replace: false);
        var id = (await h.Surprises.AddAsync(Notes with { HoldoutShare = 0, Contact = new SurpriseContact("marketing", "email") })).Id;

        var run = (await h.SurpriseRunner.RunAsync(id))!;

        Assert.Equal((1L, 1L), (run.Gifts, run.SkippedNoConsent));
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(await h.CustomerAsync("c1"), await c.ExecuteScalarAsync<long>("SELECT customer_id FROM surprise_gifts"));
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contact_log"));
    }

    [Theory, BothStores]
    public async Task Effect_CraftedPurchasesAfterTheSurprise_TreatedAgainstControl(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, PointsTests.Program);
        var customers = await BuyersAsync(h, 12);
        var id = (await h.Surprises.AddAsync(Notes with { Budget = 1000m, MaxPerRun = 100, HoldoutShare = 0.5, Gift = new SurpriseGift(SurpriseGift.FreeItem, 2m, "MUG") })).Id;
        var t = h.Clock.GetUtcNow();
        await h.SurpriseRunner.RunAsync(id);
        var control = customers.Where(c => ControlGroups.InControl(SurprisePlanner.Experiment(id), c.Id, 0.5)).ToList();
        var treated = customers.Except(control).ToList();
        Assert.NotEmpty(control);
        Assert.NotEmpty(treated);

        // Every other treated customer buys 50 five days later; the first control customer buys 20; one buys after the window.
        h.Clock.SetUtcNow(t.AddDays(45));
        var buyers = treated.Where((_, i) => i % 2 == 0).ToList();
        foreach (var (c, i) in buyers.Select((c, i) => (c, i)))
        {
            await h.SendAsync(Order($"t{i}", c.User, t.AddDays(5), 50m));
        }

        await h.SendAsync(Order("c0", control[0].User, t.AddDays(10), 20m), Order("late", control[^1].User, t.AddDays(40), 999m));

        var effect = (await h.SurpriseEffects.EffectAsync(id, 30))!;

        Assert.Equal((treated.Count, buyers.Count), (effect.Retention.Treated, effect.Retention.TreatedConverted));
        Assert.Equal((control.Count, 1L), (effect.Retention.Control, effect.Retention.ControlConverted));
        Assert.Equal(Math.Round(50m * buyers.Count / treated.Count, 2), effect.TreatedSpend);
        Assert.Equal(Math.Round(20m / control.Count, 2), effect.ControlSpend);
        Assert.Equal(0, (await h.SurpriseEffects.EffectAsync(id, 60))!.Retention.Treated); // windows of 60 days have not ended yet
    }

    private static IncomingEvent Order(string id, string user, DateTimeOffset at, decimal total) =>
        new($"late-{id}", "track", "Order Completed", Channels.Web, user, null, at, Ev.Order($"L-{id}", ("CUP", total, 1)), null, null);

    private static async Task<List<(long Id, string User)>> BuyersAsync(LoyaltyHarness h, int count)
    {
        var list = new List<(long, string)>();
        for (var i = 1; i <= count; i++)
        {
            await h.SendAsync(Ev.Track($"o{i}", i, "Order Completed", Ev.Order($"W-{i}", ("CUP", 10m + i, 1)), user: $"c{i}"));
            list.Add((await h.CustomerAsync($"c{i}"), $"c{i}"));
        }

        return list;
    }

    private static async Task AssertInvariantsAsync(LoyaltyHarness h, long id, long nobody)
    {
        await using var c = await h.Db.OpenAsync();
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(cost_e4), 0) FROM surprise_gifts") <= Money.ToStorage(Notes.Budget));
        var rows = (await c.QueryAsync<(long Customer, long Control, long Cost, long At)>("SELECT customer_id, control, cost_e4, at FROM surprise_gifts ORDER BY at")).ToList();
        Assert.DoesNotContain(rows, r => r.Customer == nobody);
        foreach (var r in rows)
        {
            Assert.Equal(ControlGroups.InControl(SurprisePlanner.Experiment(id), r.Customer, Notes.HoldoutShare), r.Control == 1);
            Assert.Equal(r.Control == 1 ? 0 : Money.ToStorage(5m), r.Cost);
        }

        foreach (var g in rows.GroupBy(r => r.Customer))
        {
            var times = g.Select(r => UnixTime.FromStorage(r.At)).ToList();
            Assert.True(times.Count <= 2, $"customer {g.Key} surprised {times.Count} times in a year");
            Assert.All(times.Zip(times.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromDays(30)));
        }

        // Control customers get nothing: no cost, no event, no task.
        var controls = "(" + string.Join(", ", rows.Where(r => r.Control == 1).Select(r => r.Customer).Append(-1)) + ")";
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customer_costs WHERE kind = 'surprise' AND customer_id IN " + controls));
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM staff_tasks WHERE customer_id IN " + controls));
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Surprise Given' AND customer_id IN " + controls));
    }
}
