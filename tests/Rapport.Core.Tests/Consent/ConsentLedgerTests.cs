using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Consent;

public sealed class ConsentLedgerTests
{
    private static ConsentUpdate Change(string json) => ConsentRequestParser.Parse((JsonObject)JsonNode.Parse(json)!, "api").Update!;

    private static ConsentService Service(CoreHarness h, ConsentOptions? options = null) => new(h.Db, h.Writer, options ?? new ConsentOptions(), h.Clock);

    [Theory, BothStores]
    public async Task Update_ThenCollectedOlderAnswer_LatestByTimeWinsAndLedgerKeepsAll(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var consent = Service(h);
        h.Clock.SetUtcNow(Ev.At(60));

        var (_, state) = (await consent.UpdateAsync(ann, Change("""{"source": "preference_page", "consents": {"marketing": {"email": true}}}"""), replace: false))!.Value;
        Assert.True(state.Answer("marketing", "email").Granted);

        // An older answer arrives late through collection: recorded, but the newer one stays current.
        await h.SendAsync(Ev.Track("c1", 30, "Consent Updated", new JsonObject { ["source"] = "shop_checkout", ["consents"] = new JsonObject { ["marketing"] = new JsonObject { ["email"] = false } } }, user: "ann"));
        var (_, after) = (await consent.GetAsync(ann))!.Value;
        var answer = after.Answer("marketing", "email");
        Assert.Equal((true, "preference_page"), (answer.Granted, answer.Source));

        var history = (await consent.HistoryAsync(ann, 10, null))!.Items;
        Assert.Equal([("marketing.email", "denied", "shop_checkout"), ("marketing.email", "granted", "preference_page")],
            history.Select(i => (i.Item, i.Value, i.Source)).ToList());

        // The change made through the service is on the timeline like any event.
        var timeline = (await h.Customers.TimelineAsync(ann, 10, null, null, "track", "Consent Updated")).Items;
        Assert.Equal(2, timeline.Count);
        Assert.Contains(timeline, e => (string?)e.Properties!["changes"]?["marketing.email"] == "granted");

        // The API's change is Rapport's own event (docs/own-events.md); the collected one is the customer's.
        await using var c = await h.Db.OpenAsync();
        var origins = await c.QueryAsync<string>("SELECT origin FROM events WHERE name = 'Consent Updated' ORDER BY origin");
        Assert.Equal(["customer", "rapport"], origins);
    }

    [Theory, BothStores]
    public async Task Replace_WithdrawsWhatIsNotGiven(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var consent = Service(h);
        await consent.UpdateAsync(ann, Change("""{"consents": {"marketing": true}, "quietHours": {"start": "22:00", "end": "07:00"}}"""), replace: false);

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var (_, state) = (await consent.UpdateAsync(ann, Change("""{"consents": {"analytics": {"web": true}}}"""), replace: true))!.Value;

        Assert.True(state.Answer("marketing", "email").IsDefault);
        Assert.False(state.Answer("marketing", "email").Granted);
        Assert.True(state.Answer("analytics", "web").Granted);
        Assert.Null(state.QuietHours);
    }

    [Theory, BothStores]
    public async Task AnonymousConsent_ThenLogin_FollowsTheMergedCustomerAndBackOnUndo(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p0", 0, user: "ann"));
        await h.SendAsync(Ev.Identify("i1", 1, new JsonObject { ["consent_email_marketing"] = true, ["preferred_channel"] = "email" }, anon: "visitor-1"));
        var visitor = await h.OwnerAsync(Identifier.AnonymousId, "visitor-1");
        var consent = Service(h);
        Assert.True((await consent.GetAsync(visitor))!.Value.State.Answer("marketing", "email").Granted);

        await h.SendAsync(Ev.Page("p1", 2, user: "ann", anon: "visitor-1"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var (current, state) = (await consent.GetAsync(ann))!.Value;
        Assert.Equal(ann, current);
        Assert.True(state.Answer("marketing", "email").Granted);
        Assert.Equal("email", state.PreferredChannel);
        Assert.Equal(ann, (await consent.GetAsync(visitor))!.Value.Customer); // the absorbed id answers for the survivor

        var merge = (await h.Merges.ForCustomerAsync(ann)).Single();
        await h.Merges.UndoAsync(merge.Id);
        var restored = await h.OwnerAsync(Identifier.AnonymousId, "visitor-1");
        Assert.False((await consent.GetAsync(ann))!.Value.State.Answer("marketing", "email").Granted);
        Assert.True((await consent.GetAsync(restored))!.Value.State.Answer("marketing", "email").Granted);
    }

    [Theory, BothStores]
    public async Task TryContact_WeeklyMaximum_CountsContactsAcrossTheWeek(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var options = new ConsentOptions();
        await Service(h, options).UpdateAsync(ann, Change("""{"consents": {"marketing": {"email": true}}, "maxPerWeek": {"email": 2}}"""), replace: false);
        var policy = new ContactPolicy(h.Db, options);
        var t = h.Clock.GetUtcNow();

        async Task<ContactDecision> Try(DateTimeOffset at) => (await h.Writer.WriteAsync(unit => policy.TryContactAsync(unit, ann, "marketing", "email", at, "test")))!;

        Assert.True((await Try(t)).Allowed);
        Assert.True((await Try(t.AddDays(1))).Allowed);
        var third = await Try(t.AddDays(2));
        Assert.Equal(ContactDenial.WeeklyCapReached, third.Check.Reason);
        Assert.Null(third.Permit);
        Assert.True((await Try(t.AddDays(7).AddMinutes(1))).Allowed); // the first contact left the 7-day window

        Assert.Equal(ContactDenial.NoConsent, (await policy.CheckAsync(ann, "marketing", "sms", t))!.Check.Reason);
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(3, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contact_log"));
    }

    [Theory, BothStores]
    public async Task Permit_UsedTwice_Refused(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["consent_marketing"] = true }, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var policy = new ContactPolicy(h.Db, new ConsentOptions());
        var permit = (await policy.CheckAsync(ann, "marketing", "push", h.Clock.GetUtcNow()))!.Permit!;

        await h.Writer.WriteAsync(async unit => { await ContactPolicy.RecordAsync(unit, permit, "once"); return 0; });

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Writer.WriteAsync(async unit => { await ContactPolicy.RecordAsync(unit, permit, "twice"); return 0; }));
    }

    [Theory, BothStores]
    public async Task IdentifyTraits_SentAgain_RecordedOnce_ContextTraitsIgnored(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var traits = new JsonObject { ["consent_email_marketing"] = true };
        await h.SendAsync(Ev.Identify("i1", 0, traits, user: "ann"));
        await h.SendAsync(Ev.Identify("i2", 5, (JsonObject)traits.DeepClone(), user: "ann"));
        await h.SendAsync(Ev.Identify("i3", 9, new JsonObject { ["consent_email_marketing"] = false }, user: "ann"));
        var page = new Rapport.Core.Events.IncomingEvent("t1", "track", "Viewed", "web", "ann", null, Ev.At(10), [], new JsonObject { ["consent_email_marketing"] = true }, null);
        await h.SendAsync(page);
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        var history = (await Service(h).HistoryAsync(ann, 10, null))!.Items;

        Assert.Equal([("denied", "i3"), ("granted", "i1")], history.Select(i => (i.Value, i.MessageId)).ToList());
        Assert.False((await Service(h).GetAsync(ann))!.Value.State.Answer("marketing", "email").Granted);
    }
}
