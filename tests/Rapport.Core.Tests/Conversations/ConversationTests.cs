using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Conversations;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Conversations;

/// <summary>Threads, the shared inbox, account managers and inbound email on the real write path, on both stores.</summary>
public sealed class ConversationTests
{
    [Theory, BothStores]
    public async Task Messages_AcrossChannels_ShareOneThread_AndLandOnTheTimeline(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (service, queries, staff) = Services(h);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "ada@example.com", ["name"] = "Ada" }, user: "ada"));
        var ada = await h.OwnerAsync(Identifier.UserId, "ada");
        var grace = await staff.AddAsync("Grace Hopper", "grace@shop.example");

        var first = (await service.AppendAsync(ada, new NewMessage(Direction.In, ConversationChannels.Email, "Is the lamp back in stock?", Subject: "Lamp")))!;
        Assert.Equal(1, first.Thread.Unread);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var answer = (await service.AppendAsync(ada, new NewMessage(Direction.Out, ConversationChannels.Chat, "Yes, since Monday.", StaffId: grace.Id)))!;

        Assert.Equal(first.Thread.Id, answer.Thread.Id);
        Assert.Equal(0, answer.Thread.Unread);
        Assert.Equal(grace.Id, answer.Thread.AssignedStaffId); // answering from the shared queue takes the thread
        Assert.Equal("Lamp", answer.Thread.Subject);
        var messages = await queries.MessagesAsync(first.Thread.Id);
        Assert.Equal(["in:email:customer", "out:chat:staff"], messages.Select(m => $"{m.Direction}:{m.Channel}:{m.AuthorKind}"));
        Assert.Equal("Grace Hopper", messages[1].StaffName);

        var timeline = await h.Customers.TimelineAsync(ada, 20, null, null, null, null);
        var replied = Assert.Single(timeline.Items, e => e.Name == ConversationService.EmailReplied);
        Assert.Equal("Is the lamp back in stock?", replied.Properties!["text"]!.GetValue<string>());
        Assert.Equal("email", replied.Channel);
        var sent = Assert.Single(timeline.Items, e => e.Name == ConversationService.MessageSent);
        Assert.Equal("chat", sent.Channel);
        Assert.Equal("Grace Hopper", sent.Properties!["staff_name"]!.GetValue<string>());

        // The staff answer is Rapport's own event (docs/own-events.md); the customer's email is hers.
        await using var c = await h.Db.OpenAsync();
        var origins = (await c.QueryAsync<(string Name, string Origin)>(
            "SELECT name, origin FROM events WHERE name IN (@replied, @sent)", new { replied = ConversationService.EmailReplied, sent = ConversationService.MessageSent }))
            .ToDictionary(r => r.Name, r => r.Origin);
        Assert.Equal("customer", origins[ConversationService.EmailReplied]);
        Assert.Equal("rapport", origins[ConversationService.MessageSent]);
    }

    [Theory, BothStores]
    public async Task Inbox_ListsOpenThreadsNewestFirst_ByAssignment_WithUnreadCounts(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (service, queries, staff) = Services(h);
        var grace = await staff.AddAsync("Grace", null);
        var threads = new List<long>();
        foreach (var who in new[] { "a@x.example", "b@x.example", "c@x.example" })
        {
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            var r = await service.AppendAsync(Identifier.Normalize(Identifier.Email, who), new NewMessage(Direction.In, ConversationChannels.Email, "hello from " + who));
            threads.Add(r.Thread.Id);
        }

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await service.AppendToThreadAsync(threads[0], new NewMessage(Direction.In, ConversationChannels.Email, "anyone there?"));
        Assert.True(await service.AssignThreadAsync(threads[1], grace.Id));

        var open = await queries.InboxAsync(new InboxFilter());
        Assert.Equal([threads[0], threads[2], threads[1]], open.Select(t => t.Id));
        Assert.Equal(2, open[0].Unread);
        Assert.Equal("anyone there?", open[0].Preview);
        Assert.Equal("a@x.example", open[0].CustomerName);
        Assert.Equal([threads[0], threads[2]], (await queries.InboxAsync(new InboxFilter("unassigned"))).Select(t => t.Id));
        var mine = Assert.Single(await queries.InboxAsync(new InboxFilter("me", grace.Id)));
        Assert.Equal("Grace", mine.AssignedStaffName);

        await service.MarkReadAsync(threads[0]);
        Assert.True(await service.SetStatusAsync(threads[2], ThreadStatus.Closed));
        open = await queries.InboxAsync(new InboxFilter());
        Assert.Equal([threads[0], threads[1]], open.Select(t => t.Id));
        Assert.Equal(0, open[0].Unread);
        Assert.Equal(threads[2], Assert.Single(await queries.InboxAsync(new InboxFilter(Status: ThreadStatus.Closed))).Id);

        // The customer writing again later starts a new conversation; the closed one stays closed
        // (a reply carrying the closed thread's token reopens it: see the inbound email test).
        var again = await service.AppendAsync(Identifier.Normalize(Identifier.Email, "c@x.example"), new NewMessage(Direction.In, ConversationChannels.Chat, "me again"));
        Assert.NotEqual(threads[2], again.Thread.Id);
        Assert.Equal(ThreadStatus.Closed, (await queries.ThreadAsync(threads[2]))!.Status);
        Assert.Equal(2, (await queries.ForCustomerAsync(again.Thread.CustomerId)).Count);
    }

    [Theory, BothStores]
    public async Task AccountManager_IsAssigned_FollowsAMerge_AndIsUnassigned(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (service, queries, staff) = Services(h);
        var grace = await staff.AddAsync("Grace", "grace@shop.example");
        await h.SendAsync(Ev.Page("p1", 0, anon: "visitor-1"));
        var visitor = await h.OwnerAsync(Identifier.AnonymousId, "visitor-1");
        Assert.True(await staff.AssignAsync(visitor, grace.Id));
        var chat = await service.AppendAsync(Identifier.Normalize(Identifier.AnonymousId, "visitor-1"), new NewMessage(Direction.In, ConversationChannels.Chat, "hi"));
        Assert.Equal(visitor, chat.Thread.CustomerId);

        // The visitor signs in as a known customer: the manager and the thread move with them.
        await h.SendAsync(Ev.Identify("i1", 1, new JsonObject { ["email"] = "bob@example.com" }, user: "bob"));
        await h.SendAsync(Ev.Identify("i2", 2, [], user: "bob", anon: "visitor-1"));
        var bob = await h.OwnerAsync(Identifier.UserId, "bob");
        Assert.Equal(bob, await h.OwnerAsync(Identifier.AnonymousId, "visitor-1"));
        Assert.Equal(grace.Id, (await staff.ManagerOfAsync(bob))?.Id);
        Assert.Equal(chat.Thread.Id, Assert.Single(await queries.ForCustomerAsync(bob)).Id);
        Assert.Equal([bob], await staff.CustomersOfAsync(grace.Id));

        Assert.True(await staff.AssignAsync(bob, null));
        Assert.Null(await staff.ManagerOfAsync(bob));
        Assert.False(await staff.AssignAsync(999_999, grace.Id));
        await Assert.ThrowsAsync<ConversationException>(() => staff.AssignAsync(bob, 424242));
        await Assert.ThrowsAsync<ConversationException>(() => staff.AddAsync("Other Grace", "GRACE@shop.example"));
    }

    [Theory, BothStores]
    public async Task InboundEmail_FindsTheSender_KeepsOnlyTheNewText_StoresOnce_AndFollowsTheReplyToken(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (service, queries, _) = Services(h);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "ada@example.com" }, user: "ada"));
        var ada = await h.OwnerAsync(Identifier.UserId, "ada");
        var inbound = new InboundMail(service, queries);
        const string raw = "From: Ada <Ada@Example.com>\r\nTo: shop@shop.example\r\nSubject: Re: Your order\r\nMessage-ID: <m1@mail.example>\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nCan I change the colour?\r\n\r\nOn Mon, 1 Jun 2026 at 10:00, Shop <shop@shop.example> wrote:\r\n> Thanks for your order\r\n";

        var email = await InboundMail.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(raw)), CancellationToken.None);
        var first = await inbound.FileAsync(email, CancellationToken.None);
        var again = await inbound.FileAsync(email, CancellationToken.None);

        Assert.Equal(ada, first.Thread.CustomerId);
        Assert.Equal("Can I change the colour?", first.Message.Body);
        Assert.Equal("Your order", first.Thread.Subject);
        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Message.Id, again.Message.Id);
        await using (var c = await h.Db.OpenAsync())
        {
            Assert.Equal(1L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Email Replied'"));
        }

        // A reply from another address that carries the token goes to the token's thread.
        await service.SetStatusAsync(first.Thread.Id, ThreadStatus.Closed);
        var other = new InboundEmail("ada.work@example.org", ["shop@shop.example"], ReplyTokens.Subject("Your order", first.Thread.Token), "From my work address", "<m2@mail.example>");
        var viaToken = await inbound.FileAsync(other, CancellationToken.None);
        Assert.Equal(first.Thread.Id, viaToken.Thread.Id);
        Assert.Equal(ThreadStatus.Open, viaToken.Thread.Status);

        // Not an email (no sender to find the customer by): refused, nothing stored.
        await Assert.ThrowsAsync<ConversationException>(async () =>
            await inbound.FileAsync(await InboundMail.ParseAsync(new MemoryStream("just some words"u8.ToArray()), CancellationToken.None), CancellationToken.None));
    }

    private static (ConversationService Service, ConversationQueries Queries, StaffDirectory Staff) Services(CoreHarness h)
    {
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        return (new ConversationService(h.Writer, h.Events, h.Identity, [], []), new ConversationQueries(h.Db), new StaffDirectory(h.Writer, h.Db, h.Clock));
    }
}
