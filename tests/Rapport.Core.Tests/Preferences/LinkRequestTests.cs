using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Rapport.Core.Erasure;
using Rapport.Core.Messaging;
using Rapport.Core.Preferences;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Erasure;
using Rapport.Core.Tests.Messaging;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Preferences;

/// <summary>"Send me a new link" from the expired preference page: outbox, gates, rate limit; both stores, a real SMTP server.</summary>
public sealed partial class LinkRequestTests
{
    private static (PreferenceLinks Links, LinkRequests Requests) Services(MessagingHarness h)
    {
        var links = new PreferenceLinks(h.Secrets, h.Options, new PreferenceOptions(), h.Core.Clock);
        return (links, new LinkRequests(links, h.Secrets, h.Outbox, h.Core.Writer));
    }

    [Theory, BothStores]
    public async Task ExpiredLink_MailsAFreshWorkingLink_AsAServiceMessage_EvenAfterAMarketingOptOut(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var (links, requests) = Services(h);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann", new JsonObject { ["consent_email_marketing"] = false });
        var old = await links.CreateAsync(ann, TimeSpan.FromDays(1));
        h.Core.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(LinkStatus.Expired, (await links.CheckAsync(old.Token)).Status);
        var marketing = await h.QueueAsync(ann, "news-1"); // proves the opt-out is in force

        var outcome = (await requests.ByTokenAsync(old.Token))!;
        await h.DispatchAsync();

        Assert.False(outcome.Limited);
        Assert.Equal(OutboxStatus.Blocked, (await h.Outbox.GetAsync(marketing))!.Status);
        var entry = (await h.Outbox.GetAsync(outcome.MessageId!.Value))!;
        Assert.Equal((MessagePurpose.Service, OutboxStatus.Sent, ann), (entry.Purpose, entry.Status, entry.CustomerId));
        var mail = SmtpSink.Parse(Assert.Single(await h.Smtp.WaitForAsync(1)));
        Assert.Equal("ann@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("Your new link to manage your preferences", mail.Subject);
        var token = LinkInMail().Match(mail.TextBody!).Groups[1].Value;
        var check = await links.CheckAsync(token);
        Assert.Equal((LinkStatus.Valid, ann), (check.Status, check.CustomerId));
    }

    [Theory, BothStores]
    public async Task ByEmail_KnownAndUnknownAddresses_GetTheSameReply_OnlyTheKnownOneIsMailed(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var (_, requests) = Services(h);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");

        var known = await requests.ByEmailAsync(" Ann@Example.com ");
        var unknown = await requests.ByEmailAsync("nobody@example.com");
        await h.DispatchAsync();

        Assert.Equal((false, false), (known.Limited, unknown.Limited));
        Assert.Null(unknown.MessageId);
        Assert.Equal(ann, (await h.Outbox.GetAsync(known.MessageId!.Value))!.CustomerId);
        Assert.Equal("ann@example.com", SmtpSink.Parse(Assert.Single(await h.Smtp.WaitForAsync(1))).To.Mailboxes.Single().Address);
        await using var c = await h.Core.Db.OpenAsync();
        Assert.Empty(await c.QueryAsync<string>("SELECT subject FROM preference_link_requests WHERE subject LIKE '%nobody%'")); // addresses are kept hashed
    }

    [Theory, BothStores]
    public async Task ThreeRequestsAnHour_PerCustomerAndPerAddress_ThenAClearRetryTime(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var (links, requests) = Services(h);
        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");
        var expired = await links.CreateAsync(ann, TimeSpan.FromMinutes(1));
        h.Core.Clock.Advance(TimeSpan.FromMinutes(2));
        var first = h.Core.Clock.GetUtcNow();

        // By link and by address count together: it is the same customer.
        Assert.False((await requests.ByTokenAsync(expired.Token))!.Limited);
        h.Core.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False((await requests.ByEmailAsync("ann@example.com")).Limited);
        Assert.False((await requests.ByTokenAsync(expired.Token))!.Limited);
        var fourth = await requests.ByEmailAsync("ann@example.com");

        Assert.True(fourth.Limited);
        Assert.Null(fourth.MessageId);
        Assert.Equal(first + LinkRequests.Window, fourth.RetryAt);
        // An unknown address is limited just the same, so the limit does not reveal who is known.
        for (var i = 0; i < LinkRequests.PerHour; i++)
        {
            Assert.False((await requests.ByEmailAsync("nobody@example.com")).Limited);
        }

        Assert.True((await requests.ByEmailAsync("nobody@example.com")).Limited);

        h.Core.Clock.Advance(TimeSpan.FromMinutes(51)); // the first request is over an hour old
        Assert.False((await requests.ByTokenAsync(expired.Token))!.Limited);
        await using var c = await h.Core.Db.OpenAsync();
        Assert.Equal(4, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE template = @t", new { t = LinkRequests.Template }));
        Assert.Equal(0, await c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM preference_link_requests WHERE requested_at <= @first", new { first = UnixTime.ToStorage(first) })); // an hour old: pruned
    }

    [Theory, BothStores]
    public async Task ErasedCustomer_GetsNoLink_AndAForgedTokenIsRefused(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var (links, requests) = Services(h);
        var ann = await ErasureSeed.AnnAsync(h.Core);
        var token = (await links.CreateAsync(ann, TimeSpan.FromMinutes(1))).Token;
        var erasures = new ErasureRequests(h.Core.Db, h.Core.Writer, h.Core.Events, h.Core.Clock);
        var request = (await erasures.RequestAsync(ann, "api", "web"))!;
        await new ErasureExecutor(h.Core.Writer, h.Core.Identity, new ErasedCustomers(h.Core.Db, h.Core.Clock), erasures).ExecuteAsync(request.Id, "admin");
        h.Core.Clock.Advance(TimeSpan.FromMinutes(2));

        var outcome = (await requests.ByTokenAsync(token))!;

        Assert.False(outcome.Limited); // the same reply as for anyone
        Assert.Null(outcome.MessageId);
        // One character of the token changed for certain (ending it in "xx" is no change when it already ends so).
        var at = token.Length - 2;
        Assert.Null(await requests.ByTokenAsync(token[..at] + (token[at] == 'x' ? 'y' : 'x') + token[(at + 1)..]));
        await using var c = await h.Core.Db.OpenAsync();
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE template = @t", new { t = LinkRequests.Template }));
    }

    [GeneratedRegex(@"/preferences/([^\s]+)")]
    private static partial Regex LinkInMail();
}
