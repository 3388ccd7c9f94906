using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Messaging;
using Rapport.Core.Preferences;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Profiling;

namespace Rapport.Core.Tests.Preferences;

public sealed class ProfilingTests
{
    private static ProfilingService Profiling(CoreHarness h) => new(h.Writer, h.Events, new PreferenceOptions(), h.Clock);

    [Theory, BothStores]
    public async Task NextQuestion_RecordedAsAsked_SameWithinTheInteraction_NoneLaterThatDay_NextOneTheDayAfter(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var profiling = Profiling(h);

        var first = (await profiling.NextAsync(ann, "web"))!;
        Assert.Equal(QuestionBank.ValuesMost, first.Question!.Id);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(QuestionBank.ValuesMost, (await profiling.NextAsync(ann, "web"))!.Question!.Id); // a reload: same question, not a new ask
        await using (var c = await h.Db.OpenAsync())
        {
            Assert.Equal(1L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM profiling_asks"));
        }

        h.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Null((await profiling.NextAsync(ann, "email"))!.Question);

        h.Clock.Advance(TimeSpan.FromDays(1));
        var next = (await profiling.NextAsync(ann, "email"))!;
        Assert.Equal(QuestionBank.Interests, next.Question!.Id); // values_most was asked yesterday: not again so soon
        await using var c2 = await h.Db.OpenAsync();
        Assert.Equal(["values_most:web", "interests:email"],
            (await c2.QueryAsync<string>("SELECT question || ':' || channel FROM profiling_asks ORDER BY asked_at")).ToList());
    }

    [Theory, BothStores]
    public async Task Answers_BecomeTraitsAndStatedNeeds_WithAnEventOnTheTimeline_AndAreNotAskedAgain(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "ann@example.com" }));
        var ann = await h.OwnerAsync(Identifier.Email, "ann@example.com");
        var profiling = Profiling(h);
        h.Clock.SetUtcNow(Ev.At(60));

        Assert.Null((await profiling.AnswerAsync(ann, "values_most", ["Quality"], "test", "web")).Error);
        Assert.Null((await profiling.AnswerAsync(ann, "interests", ["garden", "books"], "test", "email")).Error);
        Assert.Null((await profiling.AnswerAsync(ann, "birthday", ["1990-04-23"], "test", "web")).Error);

        var profile = (await h.Customers.GetAsync(ann))!;
        Assert.Equal("quality", profile.Traits["values_most"].Value);
        Assert.Equal("04-23", profile.Traits["birthday"].Value);
        await h.NeedsRefresher.DrainAsync(); // the server's refresher does this moments after the answers
        var needs = await h.Needs.GetAsync(ann);
        Assert.Equal("quality", needs.Preferences.ValuesMost!.Value);
        Assert.Equal(["garden", "books"], needs.Preferences.Interests!.Value);

        var answered = (await h.Customers.TimelineAsync(ann, 10, null, null, "track", "Profile Question Answered")).Items;
        Assert.Equal(3, answered.Count);
        Assert.Contains(answered, e => (string?)e.Properties!["question"] == "interests" && e.Channel == "email");

        // Three answered: only preferred_store is left to ask.
        Assert.Equal(QuestionBank.PreferredStore, (await profiling.NextAsync(ann, "web"))!.Question!.Id);
    }

    [Theory, BothStores]
    public async Task StatedThroughAnIdentifyTrait_CountsAsAnswered(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["values_most"] = "price" }, user: "bo"));
        var bo = await h.OwnerAsync(Identifier.UserId, "bo");
        Assert.Equal(QuestionBank.Interests, (await Profiling(h).NextAsync(bo, "web"))!.Question!.Id);
    }

    [Theory, BothStores]
    public async Task BadAnswer_StoresNothing(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var profiling = Profiling(h);

        Assert.Contains("not an answer", (await profiling.AnswerAsync(ann, "values_most", ["cheap"], "test", "web")).Error, StringComparison.Ordinal);
        Assert.Contains("not a question", (await profiling.AnswerAsync(ann, "shoe_size", ["42"], "test", "web")).Error, StringComparison.Ordinal);
        Assert.Null((await profiling.AnswerAsync(999_999, "values_most", ["quality"], "test", "web")).CustomerId);
        Assert.Empty((await h.Customers.TimelineAsync(ann, 10, null, null, "track", "Profile Question Answered")).Items);
    }

    [Theory, BothStores]
    public async Task ErasureRequest_PendingOnceWithEvent_ListedForStaff(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Page("p1", 0, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var erasures = new ErasureRequests(h.Db, h.Writer, h.Events, h.Clock);

        var first = (await erasures.RequestAsync(ann, "preference-centre", "web"))!;
        var again = (await erasures.RequestAsync(ann, "preference-centre", "web"))!;
        Assert.Equal(first.Id, again.Id);
        Assert.Null(await erasures.RequestAsync(999_999, "preference-centre", "web"));

        var pending = await erasures.ListAsync(ErasureRequests.Pending, 0, 10);
        Assert.Equal((ann, "pending", "preference-centre"), (pending.Single().CustomerId, pending[0].Status, pending[0].Source));
        Assert.Empty(await erasures.ListAsync(ErasureRequests.Completed, 0, 10));
        Assert.Single((await h.Customers.TimelineAsync(ann, 10, null, null, "track", "Erasure Requested")).Items);
    }

    [Theory, BothStores]
    public async Task PreferenceLink_ValidUntilExpiry_TamperedOrOtherCustomerInvalid(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var messaging = new MessagingOptions { PublicUrl = "https://shop.example/" };
        var links = new PreferenceLinks(new MessagingSecrets(h.Db, messaging), messaging, new PreferenceOptions(), h.Clock);

        var link = await links.CreateAsync(42, TimeSpan.FromDays(2));
        Assert.StartsWith("https://shop.example/preferences/42.", link.Url, StringComparison.Ordinal);
        Assert.Equal(new LinkCheck(LinkStatus.Valid, 42, link.ExpiresAt), await links.CheckAsync(link.Token));

        var parts = link.Token.Split('.');
        Assert.Equal(LinkStatus.Invalid, (await links.CheckAsync($"43.{parts[1]}.{parts[2]}")).Status); // another customer
        Assert.Equal(LinkStatus.Invalid, (await links.CheckAsync($"42.{long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 86400}.{parts[2]}")).Status); // made to last longer
        Assert.Equal(LinkStatus.Invalid, (await links.CheckAsync(link.Token[..^2])).Status);
        Assert.Equal(LinkStatus.Invalid, (await links.CheckAsync("nonsense")).Status);

        h.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(LinkStatus.Expired, (await links.CheckAsync(link.Token)).Status);

        // Another store's key (another installation) does not accept this one's links.
        await using var other = await TestStores.CreateAsync(store);
        var foreign = new PreferenceLinks(new MessagingSecrets(other, messaging), messaging, new PreferenceOptions(), h.Clock);
        Assert.Equal(LinkStatus.Invalid, (await foreign.CheckAsync(link.Token)).Status);
    }
}
