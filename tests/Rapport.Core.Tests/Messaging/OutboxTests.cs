using System.Text.Json.Nodes;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Messaging;

/// <summary>The outbox against a real SMTP server, on both stores: sent once, retried, dead-lettered, never lost.</summary>
public class OutboxTests
{
    [Theory, BothStores]
    public async Task Send_RendersForTheCustomer_DeliversOnce_AndPutsItOnTheTimeline(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var id = await h.QueueAsync(ann, "k1", data: new JsonObject { ["recommendations"] = new JsonArray(new JsonObject { ["name"] = "Desk lamp" }) });

        Assert.Equal(1, await h.DispatchAsync());
        Assert.Equal(0, await h.DispatchAsync()); // nothing left: a sent message is never claimed again

        var mail = SmtpSink.Parse(Assert.Single(await h.Smtp.WaitForAsync(1)));
        Assert.Equal("Hello Ann", mail.Subject);
        Assert.Equal("ann@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Contains("- Desk lamp", mail.TextBody);
        Assert.StartsWith("<http://rapport.test/m/unsubscribe/", mail.Headers["List-Unsubscribe"]);
        Assert.Contains("http://rapport.test/m/click/", mail.HtmlBody); // the HTML link goes through click tracking
        Assert.Contains("http://rapport.test/m/open/", mail.HtmlBody);
        Assert.EndsWith("@rapport", mail.MessageId);
        var entry = (await h.Outbox.GetAsync(id))!;
        Assert.Equal(OutboxStatus.Sent, entry.Status);
        Assert.Equal(1, entry.Attempts);
        Assert.Equal(["Email Sent"], await h.EmailEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Enqueue_SameKeyTwice_StoresAndSendsOne(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");

        var first = await h.QueueAsync(ann, "journey:welcome:ann:step1");
        var again = await h.QueueAsync(ann, "journey:welcome:ann:step1");
        await h.DispatchAsync();

        Assert.Equal(first, again);
        Assert.Single(await h.Outbox.ListAsync(null, ann, 10));
        Assert.Single(await h.Smtp.WaitForAsync(1));
    }

    [Theory, BothStores]
    public async Task ServerDisappears_MessageWaitsWithBackOff_ThenGoesOutOnce(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var id = await h.QueueAsync(ann, "k1");
        await h.Smtp.StopAsync();

        await h.DispatchAsync();
        var waiting = (await h.Outbox.GetAsync(id))!;
        Assert.Equal(OutboxStatus.Pending, waiting.Status);
        Assert.Contains($"127.0.0.1:{h.Smtp.Port}", waiting.LastError);
        Assert.Equal(h.Core.Clock.GetUtcNow().AddSeconds(30), waiting.NextAttemptAt);

        await h.Smtp.StartAgainAsync();
        Assert.Equal(0, await h.DispatchAsync()); // not due yet
        h.Core.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await h.DispatchAsync());

        Assert.Single(await h.Smtp.WaitForAsync(1));
        Assert.Equal((OutboxStatus.Sent, 2), ((await h.Outbox.GetAsync(id))!.Status, (await h.Outbox.GetAsync(id))!.Attempts));
        Assert.Equal(["Email Sent"], await h.EmailEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task UnknownMailbox_DeadLetteredAtOnce_AddressSuppressed(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var bob = await h.CustomerAsync("bob", "reject-bob@example.com", "Bob");
        var id = await h.QueueAsync(bob, "k1");

        await h.DispatchAsync();

        var dead = (await h.Outbox.GetAsync(id))!;
        Assert.Equal(OutboxStatus.Dead, dead.Status);
        Assert.Contains("SMTP 550", dead.LastError);
        Assert.Equal([id], (await h.Outbox.ListAsync(OutboxStatus.Dead, null, 10)).Select(e => e.Id));
        Assert.StartsWith("bounced", await h.Outbox.SuppressionReasonAsync("reject-bob@example.com"));
        Assert.Equal(["Email Failed"], await h.EmailEventsAsync(bob));
        Assert.Empty(h.Smtp.Messages());
    }

    [Theory, BothStores]
    public async Task TemporaryRefusal_RetriedUntilTheLimit_ThenDead_AndRetryableByStaff(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store, new RetryPolicy(MaxAttempts: 3, FirstDelaySeconds: 10));
        var cy = await h.CustomerAsync("cy", "later-cy@example.com", "Cy");
        var id = await h.QueueAsync(cy, "k1");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(1, await h.DispatchAsync());
            h.Core.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        var dead = (await h.Outbox.GetAsync(id))!;
        Assert.Equal((OutboxStatus.Dead, 3), (dead.Status, dead.Attempts));
        Assert.Contains("gave up after 3 attempts", dead.LastError);
        Assert.Contains("451", dead.LastError);
        Assert.Equal(0, await h.DispatchAsync());
        Assert.Equal(["Email Failed"], await h.EmailEventsAsync(cy));

        Assert.True(await h.Outbox.RetryAsync(id));
        Assert.False(await h.Outbox.RetryAsync(id)); // only dead messages
        Assert.Equal(OutboxStatus.Pending, (await h.Outbox.GetAsync(id))!.Status);
    }

    [Theory, BothStores]
    public async Task SenderDiesMidSend_LeaseRunsOut_SentOnceAfterwards(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var sentBefore = await h.QueueAsync(ann, "k0");
        await h.DispatchAsync();
        var id = await h.QueueAsync(ann, "k1");

        // A sender claims the message and dies before sending or recording anything.
        var claimed = await h.Outbox.ClaimAsync("email", 10, h.Options.Lease);
        Assert.Equal([id], claimed.Select(c => c.Id));
        Assert.Equal(0, await h.DispatchAsync()); // still leased: no one else sends it meanwhile

        h.Core.Clock.Advance(h.Options.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await h.DispatchAsync());

        var mails = await h.Smtp.WaitForAsync(2);
        Assert.Equal(2, mails.Count); // k0 once, k1 once
        Assert.Equal(OutboxStatus.Sent, (await h.Outbox.GetAsync(id))!.Status);
        Assert.Equal(OutboxStatus.Sent, (await h.Outbox.GetAsync(sentBefore))!.Status);
    }

    [Theory, BothStores]
    public async Task Unsubscribed_MarketingBlocked_ServiceStillSent(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var first = await h.QueueAsync(ann, "k0");
        await h.DispatchAsync();
        await h.Feedback.UnsubscribeAsync((await h.Outbox.GetAsync(first))!, CancellationToken.None);

        var marketing = await h.QueueAsync(ann, "k1");
        var service = await h.QueueAsync(ann, "k2", MessagePurpose.Service);
        await h.DispatchAsync();

        var blocked = (await h.Outbox.GetAsync(marketing))!;
        Assert.Equal(OutboxStatus.Blocked, blocked.Status);
        Assert.Contains("unsubscribed", blocked.LastError);
        Assert.Equal(OutboxStatus.Sent, (await h.Outbox.GetAsync(service))!.Status);
        Assert.Equal(2, (await h.Smtp.WaitForAsync(2)).Count);
        Assert.Equal(["Email Sent", "Unsubscribed", "Email Blocked", "Email Sent"], await h.EmailEventsAsync(ann));
    }

    [Theory, BothStores]
    public async Task Links_AreSigned_AndTamperedTokensAreRefused(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        await h.Secrets.LoadAsync();
        var token = h.Links.Token("k1");

        Assert.Equal("k1", h.Links.KeyOf(token));
        // One signature character changed for certain (ending it in "AA" was no change when it
        // already ended so: about 1 run in 1,000, seen once on CI).
        var k2 = h.Links.Token("k2");
        var at = k2.Length - 3;
        Assert.Null(h.Links.KeyOf(k2[..at] + (k2[at] == 'A' ? 'B' : 'A') + k2[(at + 1)..]));
        Assert.Null(h.Links.KeyOf("not-a-token"));
        var click = new Uri(h.Links.Click("k1", "https://shop.test/a?b=1"));
        var query = System.Web.HttpUtility.ParseQueryString(click.Query);
        Assert.True(h.Links.IsValidClick("k1", query["u"]!, query["s"]!));
        Assert.False(h.Links.IsValidClick("k1", "https://evil.test/", query["s"]!));

        // The key is kept in the store: a second process signs alike.
        var secrets2 = new MessagingSecrets(h.Core.Db, h.Options);
        await secrets2.LoadAsync();
        Assert.Equal(token, new MessageLinks(secrets2, h.Options).Token("k1"));
    }

    [Theory, BothStores]
    public async Task Consent_NoMarketingConsent_Blocked_ServiceStillSent(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var dan = await h.CustomerAsync("dan", "dan@example.com", "Dan", new JsonObject { ["consent_email_marketing"] = false });

        var marketing = await h.QueueAsync(dan, "k1");
        var service = await h.QueueAsync(dan, "k2", MessagePurpose.Service);
        await h.DispatchAsync();

        var blocked = (await h.Outbox.GetAsync(marketing))!;
        Assert.Equal(OutboxStatus.Blocked, blocked.Status);
        Assert.Contains("denied marketing on email", blocked.LastError);
        Assert.Equal(OutboxStatus.Sent, (await h.Outbox.GetAsync(service))!.Status);
        Assert.Single(await h.Smtp.WaitForAsync(1));
    }

    [Theory, BothStores]
    public async Task Consent_WeeklyMaximum_SecondMessageWaitsUntilThereIsRoom(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var eve = await h.CustomerAsync("eve", "eve@example.com", "Eve");
        await new Rapport.Core.Consent.ConsentService(h.Core.Db, h.Core.Writer, new Rapport.Core.Consent.ConsentOptions(), h.Core.Clock)
            .UpdateAsync(eve, new Rapport.Core.Consent.ConsentUpdate("test", [new("max_per_week.email", "1")]), replace: false);

        var first = await h.QueueAsync(eve, "k1");
        await h.DispatchAsync();
        var second = await h.QueueAsync(eve, "k2");
        await h.DispatchAsync();

        Assert.Equal(OutboxStatus.Sent, (await h.Outbox.GetAsync(first))!.Status);
        var waiting = (await h.Outbox.GetAsync(second))!;
        Assert.Equal((OutboxStatus.Pending, 0), (waiting.Status, waiting.Attempts)); // a deferral uses no attempt
        Assert.Contains("week", waiting.LastError);
        Assert.Equal(h.Core.Clock.GetUtcNow() + Rapport.Core.Messaging.ConsentGate.WeeklyCapRetry, waiting.NextAttemptAt);
        Assert.Single(await h.Smtp.WaitForAsync(1));

        h.Core.Clock.Advance(TimeSpan.FromDays(7));
        await h.DispatchAsync();
        Assert.Equal(OutboxStatus.Sent, (await h.Outbox.GetAsync(second))!.Status);
        Assert.Equal(2, (await h.Smtp.WaitForAsync(2)).Count);
    }
}
