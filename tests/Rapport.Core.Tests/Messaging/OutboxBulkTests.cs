using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Segments;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Messaging;

/// <summary>
/// The outbox's fast paths: outcome events appended in bulk (still counted by segments at once,
/// still filed under the right customer after a merge), outcomes recorded while the round is
/// still sending, and many messages composed from one read of their customers.
/// </summary>
public class OutboxBulkTests
{
    [Theory, BothStores]
    public async Task EmailSent_AppendedInBulk_SegmentsCountItAtOnce_WithoutASweep(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var bob = await h.CustomerAsync("bob", "bob@example.com", "Bob");
        var mailed = await h.Core.CreateAsync("Mailed", "count(track \"Email Sent\", last 30 days) >= 1");
        Assert.Empty(await h.Core.MembersAsync(mailed));

        await h.QueueAsync(ann, "k-ann");
        Assert.Equal(1, await h.DispatchAsync());

        Assert.Equal([ann], await h.Core.MembersAsync(mailed));
        Assert.Equal(["Email Sent"], await h.EmailEventsAsync(ann));
        Assert.Empty(await h.EmailEventsAsync(bob));
        await using var c = await h.Core.Db.OpenAsync();
        var row = await c.QuerySingleAsync<(long Customer, string Kind, string Value, string? UserId)>(
            "SELECT customer_id, id_kind, id_value, user_id FROM events WHERE name = 'Email Sent'");
        Assert.Equal((ann, Identifier.UserId, "ann", "ann"), row); // filed under her strongest identifier
    }

    [Theory, BothStores]
    public async Task ManyInOneRound_EachSentOnce_EachWithOneEvent_AndEachContactCounted(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var customers = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            customers.Add(await h.CustomerAsync($"u{i}", $"u{i}@example.com", $"U{i}"));
        }

        foreach (var (customer, i) in customers.Select((c, i) => (c, i)))
        {
            await h.QueueAsync(customer, $"k{i}");
        }

        Assert.Equal(30, await h.DispatchAsync());
        Assert.Equal(0, await h.DispatchAsync());

        Assert.Equal(30, (await h.Smtp.WaitForAsync(30)).Count);
        Assert.All(await h.Outbox.ListAsync(null, null, 100), e => Assert.Equal(OutboxStatus.Sent, e.Status));
        foreach (var customer in customers)
        {
            Assert.Equal(["Email Sent"], await h.EmailEventsAsync(customer));
        }

        await using var c = await h.Core.Db.OpenAsync();
        Assert.Equal(30, await c.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT id_value) FROM contact_log"));
    }

    [Theory, BothStores]
    public async Task CustomerMergedAfterQueueing_EventLandsOnTheSurvivor_Once(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        await h.Core.SendAsync(Ev.Identify("id-anon", 0, new() { ["email"] = "ann@shop.example", ["firstName"] = "Ann", ["consent_email_marketing"] = true }, anon: "a-1"));
        var other = await h.Core.OwnerAsync(Identifier.AnonymousId, "a-1");
        Assert.NotEqual(ann, other);
        // Service messages: a marketing one to a merged-away customer is blocked by the consent gate.
        await h.QueueAsync(ann, "k-ann", MessagePurpose.Service);
        await h.QueueAsync(other, "k-other", MessagePurpose.Service);

        // One identify carries both customers' identifiers: one absorbs the other.
        await h.Core.SendAsync(Ev.Identify("link", 0, new() { ["email"] = "ann@shop.example" }, user: "ann", anon: "a-1"));
        var survivor = await h.Core.OwnerAsync(Identifier.UserId, "ann");
        Assert.Equal(survivor, await h.Core.OwnerAsync(Identifier.Email, "ann@shop.example"));

        Assert.Equal(2, await h.DispatchAsync());

        Assert.Equal(["Email Sent", "Email Sent"], await h.EmailEventsAsync(survivor));
        await using var c = await h.Core.Db.OpenAsync();
        Assert.Equal(2, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Email Sent' AND customer_id = @survivor", new { survivor }));
    }

    [Theory, BothStores]
    public async Task ComposeBatch_SameMessagesAsOneByOne_UnknownAndMergedCustomersRefused(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var bob = await h.CustomerAsync("bob", "bob@example.com", "Bob");
        await h.Core.SendAsync(Ev.Identify("no-mail", 0, new() { ["firstName"] = "Cy" }, user: "cy"));
        var cy = await h.Core.OwnerAsync(Identifier.UserId, "cy");

        var batch = await h.Composer.LoadAsync([ann, bob, cy, 9_999]);
        foreach (var customer in new[] { ann, bob })
        {
            var one = await h.Composer.ComposeAsync(customer, "news", MessagePurpose.Marketing, $"k{customer}", null);
            var many = await h.Composer.ComposeAsync(batch, customer, "news", MessagePurpose.Marketing, $"k{customer}", null);
            Assert.Equal(one, many);
        }

        Assert.Equal("Hello Bob", (await h.Composer.ComposeAsync(batch, bob, "news", MessagePurpose.Marketing, "k", null)).Subject);
        var noAddress = await Assert.ThrowsAsync<ComposeException>(() => h.Composer.ComposeAsync(batch, cy, "news", MessagePurpose.Marketing, "k", null));
        Assert.Equal(ComposeFailure.NoAddress, noAddress.Kind);
        var unknown = await Assert.ThrowsAsync<ComposeException>(() => h.Composer.ComposeAsync(batch, 9_999, "news", MessagePurpose.Marketing, "k", null));
        Assert.Equal(ComposeFailure.UnknownCustomer, unknown.Kind);
        var template = await Assert.ThrowsAsync<ComposeException>(() => h.Composer.ComposeAsync(batch, ann, "missing", MessagePurpose.Marketing, "k", null));
        Assert.Equal(ComposeFailure.UnknownTemplate, template.Kind);
    }
}
