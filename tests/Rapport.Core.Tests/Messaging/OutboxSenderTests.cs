using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Messaging;

/// <summary>
/// The SMTP transport's sender threads take a group of messages at once (one connection per
/// thread, blocking I/O): a message refused or unsendable in the middle of a group must not
/// disturb the others, each outcome is recorded once, and the refused one is retried alone.
/// </summary>
public class OutboxSenderTests
{
    [Theory, BothStores]
    public async Task RefusedMidGroup_OthersSentAndRecordedOnce_TemporaryOneRetriedAlone_PermanentOneDead(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store, new RetryPolicy(MaxAttempts: 5, FirstDelaySeconds: 30));
        var ids = new List<(long Customer, long Message, string Email)>();
        for (var i = 0; i < 9; i++)
        {
            // The sink answers 451 to "later…" and 550 to "reject…" at RCPT, on a connection that then carries on.
            var email = i switch { 4 => "later-u4@example.com", 6 => "reject-u6@example.com", _ => $"u{i}@example.com" };
            var customer = await h.CustomerAsync($"u{i}", email, $"U{i}");
            ids.Add((customer, await h.QueueAsync(customer, $"k{i}"), email));
        }

        Assert.Equal(9, await h.DispatchAsync());

        var mails = await h.Smtp.WaitForAsync(7);
        Assert.Equal(7, mails.Count);
        foreach (var (customer, message, email) in ids)
        {
            var entry = (await h.Outbox.GetAsync(message))!;
            var expected = email switch
            {
                _ when email.StartsWith("later", StringComparison.Ordinal) => (OutboxStatus.Pending, 1),
                _ when email.StartsWith("reject", StringComparison.Ordinal) => (OutboxStatus.Dead, 1),
                _ => (OutboxStatus.Sent, 1),
            };
            Assert.Equal(expected, (entry.Status, entry.Attempts));
            Assert.Equal(entry.Status == OutboxStatus.Sent ? ["Email Sent"] : entry.Status == OutboxStatus.Dead ? ["Email Failed"] : [], await h.EmailEventsAsync(customer));
        }

        Assert.Contains("451", (await h.Outbox.GetAsync(ids[4].Message))!.LastError);
        Assert.Contains("550", (await h.Outbox.GetAsync(ids[6].Message))!.LastError);

        // Backing off: nothing due now; after the delay only the refused message goes again.
        Assert.Equal(0, await h.DispatchAsync());
        h.Core.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await h.DispatchAsync());
        Assert.Equal((OutboxStatus.Pending, 2), ((await h.Outbox.GetAsync(ids[4].Message))!.Status, (await h.Outbox.GetAsync(ids[4].Message))!.Attempts));
        Assert.Equal(7, h.Smtp.Messages().Count);
        foreach (var (customer, message, _) in ids.Where((_, i) => i is not (4 or 6)))
        {
            Assert.Equal(["Email Sent"], await h.EmailEventsAsync(customer));
        }
    }

    [Theory, BothStores]
    public async Task RecipientMimeKitCannotParse_DeadAtOnce_TheRestOfTheGroupSent(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var bob = await h.CustomerAsync("bob", "bob@example.com", "Bob");
        var good = await h.QueueAsync(ann, "k-ann");
        var (bad, _) = await h.Outbox.EnqueueAsync(new OutgoingMessage(
            "k-bad", bob, "email", MessagePurpose.Service, null, "bob@@example..com <", "Hello", "Text", null));

        Assert.Equal(2, await h.DispatchAsync());

        Assert.Single(await h.Smtp.WaitForAsync(1));
        Assert.Equal(OutboxStatus.Sent, (await h.Outbox.GetAsync(good))!.Status);
        var dead = (await h.Outbox.GetAsync(bad))!;
        Assert.Equal(OutboxStatus.Dead, dead.Status);
        Assert.Contains("not an email address", dead.LastError);
        Assert.Equal(0, await h.DispatchAsync());
    }

    [Fact]
    public async Task SendAll_OutcomesInTheMessagesOrder_AcrossThreads()
    {
        await using var smtp = await SmtpSink.StartAsync();
        var options = new MessagingOptions { PublicUrl = "http://rapport.test", SigningKey = "test-key" };
        // Service messages carry no unsubscribe link, so the link key (and the store behind it) is never needed here.
        var links = new MessageLinks(new MessagingSecrets(null!, options), options);
        await using var transport = new SmtpTransport(new SmtpOptions("127.0.0.1", smtp.Port, "shop@rapport.test") { Connections = 3 }, links);
        var messages = Enumerable.Range(0, 20).Select(i => new ClaimedMessage(
            i, $"k{i}", i, "email", MessagePurpose.Service, i % 5 == 2 ? $"later-{i}@example.com" : $"c{i}@example.com", "S", "T", null, 1)).ToList();

        var outcomes = await transport.SendAllAsync(messages, CancellationToken.None);

        Assert.Equal(messages.Select(m => m.Id), outcomes.Select(o => o.MessageId));
        Assert.All(outcomes, o => Assert.IsType(o.MessageId % 5 == 2 ? typeof(DeliveryOutcome.Transient) : typeof(DeliveryOutcome.Sent), o));
        Assert.Equal(16, (await smtp.WaitForAsync(16)).Count);
    }
}
