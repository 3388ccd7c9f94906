using System.Text.Json.Nodes;
using Rapport.Core.Analytics;
using Rapport.Core.Consent;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Analytics;

/// <summary>Consent across the base (the population page's report) against answers given by hand, on both stores.</summary>
public sealed class ConsentOverviewTests
{
    private static ConsentUpdate Change(string json) => ConsentRequestParser.Parse((JsonObject)JsonNode.Parse(json)!, "api").Update!;

    [Theory, BothStores]
    public async Task Compute_AnswersOfThreeCustomers_LatestAnswerPerCustomerCounted(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p-ann", 0, user: "ann"), Ev.Page("p-bob", 0, user: "bob"), Ev.Page("p-cat", 0, user: "cat"));
        // cat ticked a box as an anonymous visitor, then logged in: the answer joins her (merged, counted once).
        await h.SendAsync(Ev.Identify("i-visitor", 1, new JsonObject { ["consent_email_marketing"] = true, ["preferred_channel"] = "email" }, anon: "visitor-1"));
        await h.SendAsync(Ev.Page("p-cat-2", 2, user: "cat", anon: "visitor-1"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var bob = await h.OwnerAsync(Identifier.UserId, "bob");
        var options = new ConsentOptions { GrantedByDefault = new HashSet<string>(StringComparer.Ordinal) { "analytics" } };
        var consent = new ConsentService(h.Db, h.Writer, options, h.Clock);
        h.Clock.SetUtcNow(Ev.At(60));
        await consent.UpdateAsync(ann, Change("""{"consents": {"marketing": {"email": true}}}"""), replace: false);
        h.Clock.SetUtcNow(Ev.At(61));
        await consent.UpdateAsync(ann, Change("""{"consents": {"marketing": {"email": null}}}"""), replace: false); // withdrawn: no answer again
        await consent.UpdateAsync(bob, Change("""
            {"source": "preference_page", "consents": {"marketing": true, "profiling": {"sms": false}},
             "quietHours": {"start": "21:00", "end": "08:00"}, "maxPerWeek": {"email": 2}, "pausedUntil": "2026-03-01T00:00:00Z"}
            """), replace: false);

        h.Clock.SetUtcNow(new DateTimeOffset(2026, 2, 20, 12, 0, 0, TimeSpan.Zero));
        var r = await new ConsentOverview(h.Db, options, h.Clock).ComputeAsync();

        Assert.Equal(3, r.Customers);
        Assert.Equal(3, r.CustomersWithAnswers);
        Assert.Equal(30, r.Cells.Count);
        var email = r.Cells.Single(x => (x.Purpose, x.Channel) == ("marketing", "email"));
        Assert.Equal((2L, 0L, 1L, false), (email.Granted, email.Denied, email.NoAnswer, email.DefaultGranted)); // bob and cat; ann withdrew
        Assert.Equal(2 / 3.0, email.GrantedShare, 6);
        Assert.Equal((1L, 0L, 2L), Counts(r, "marketing", "sms")); // bob's "marketing": true covers every channel
        Assert.Equal((0L, 1L, 2L), Counts(r, "profiling", "sms"));
        var analytics = r.Cells.Single(x => (x.Purpose, x.Channel) == ("analytics", "web"));
        Assert.Equal((true, 1.0), (analytics.DefaultGranted, analytics.GrantedShare)); // granted by default to everyone who did not answer

        // The week of 2026-01-26 (Monday) holds every answer: ann's grant and withdrawal, bob's 6 grants and a denial, cat's grant.
        Assert.Equal(ConsentOverview.Weeks, r.Weeks.Count);
        Assert.Equal(new DateOnly(2026, 2, 16), r.Weeks[^1].Week);
        var week = r.Weeks.Single(w => w.Week == new DateOnly(2026, 1, 26));
        Assert.Equal((8L, 2L), (week.Grants, week.Withdrawals));
        Assert.Equal((8L, 2L), (r.Weeks.Sum(w => w.Grants), r.Weeks.Sum(w => w.Withdrawals)));

        Assert.Equal((1L, 0L, 1L, 0L), (r.Settings.PausedNow, r.Settings.PauseEnded, r.Settings.QuietHours, r.Settings.OwnTimeZone));
        Assert.Equal([new StatedCount("email", 1)], r.Settings.WeeklyMaximum);
        Assert.Equal([new StatedCount("email", 1)], r.Settings.PreferredChannel);
        Assert.Contains(r.Sources, s => s.Source == "web:identify" && s.Answers == 2); // the consent trait and preferred_channel
        Assert.Contains(r.Sources, s => s.Source == "api" && s.Answers == 2);

        // After bob's pause ends, it counts as ended, not running.
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        var later = await new ConsentOverview(h.Db, options, h.Clock).ComputeAsync();
        Assert.Equal((0L, 1L), (later.Settings.PausedNow, later.Settings.PauseEnded));
    }

    [Theory, BothStores]
    public async Task Compute_NoLedger_EveryCellNoAnswer(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p-ann", 0, user: "ann"));
        var r = await new ConsentOverview(h.Db, new ConsentOptions(), h.Clock).ComputeAsync();
        Assert.Equal((1L, 0L), (r.Customers, r.CustomersWithAnswers));
        Assert.All(r.Cells, x => Assert.Equal((0L, 0L, 1L, 0.0), (x.Granted, x.Denied, x.NoAnswer, x.GrantedShare)));
        Assert.All(r.Weeks, w => Assert.Equal((0L, 0L), (w.Grants, w.Withdrawals)));
        Assert.Empty(r.Sources);
    }

    private static (long, long, long) Counts(ConsentOverviewReport r, string purpose, string channel)
    {
        var cell = r.Cells.Single(x => (x.Purpose, x.Channel) == (purpose, channel));
        return (cell.Granted, cell.Denied, cell.NoAnswer);
    }
}
