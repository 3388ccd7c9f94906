using System.Globalization;
using System.Text.Json.Nodes;
using Rapport.Core.Consent;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Messaging;

/// <summary>
/// The outbox checks a claimed round's consent at once (<see cref="ContactRound"/>): each
/// message must get exactly the decision the per-message check (<see cref="ContactPolicy"/>)
/// gives, and two messages to one customer in a round must share the weekly maximum.
/// </summary>
public sealed class ConsentRoundTests
{
    [Theory, BothStores]
    public async Task MixedRound_EachMessageGetsThePerMessageDecision(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var consent = new ConsentService(h.Core.Db, h.Core.Writer, new ConsentOptions(), h.Core.Clock);
        var policy = new ContactPolicy(h.Core.Db, new ConsentOptions());
        var now = h.Core.Clock.GetUtcNow();
        var hour = now.UtcDateTime.Hour;

        var ann = await h.CustomerAsync("ann", "ann@example.com", "Ann");                       // granted: sent
        var dan = await h.CustomerAsync("dan", "dan@example.com", "Dan", new JsonObject { ["consent_email_marketing"] = false }); // denied: blocked
        var pat = await h.CustomerAsync("pat", "pat@example.com", "Pat");                       // paused: deferred
        var quinn = await h.CustomerAsync("quinn", "quinn@example.com", "Quinn");               // inside quiet hours: deferred
        var eve = await h.CustomerAsync("eve", "eve@example.com", "Eve");                       // weekly maximum used up: deferred
        var cap = await h.CustomerAsync("cap", "cap@example.com", "Cap");                       // two in the round, room for one
        await Prefer(consent, pat, (ConsentEntry.PausedUntil, (now + TimeSpan.FromDays(1)).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        await Prefer(consent, quinn, (ConsentEntry.TimeZone, "UTC"), (ConsentEntry.QuietHours, $"{(hour + 23) % 24:00}:00-{(hour + 1) % 24:00}:00"));
        await Prefer(consent, eve, ("max_per_week.email", "1"));
        await Prefer(consent, cap, ("max_per_week.email", "1"));
        await h.QueueAsync(eve, "earlier");
        Assert.Equal(1, await h.DispatchAsync());

        // What the per-message check says for each customer, before the round.
        var expected = new Dictionary<long, ContactCheck>();
        foreach (var customer in new[] { ann, dan, pat, quinn, eve, cap })
        {
            expected[customer] = (await policy.CheckAsync(customer, ConsentVocabulary.Marketing, "email", now))!.Check;
        }

        Assert.Equal(
            [ContactDenial.None, ContactDenial.NoConsent, ContactDenial.Paused, ContactDenial.QuietHours, ContactDenial.WeeklyCapReached, ContactDenial.None],
            expected.Values.Select(c => c.Reason));

        // The round's facts, read at once, decide the same.
        var round = await policy.ReadRoundAsync([ann, dan, pat, quinn, eve, cap, 999_999], "email", now);
        foreach (var (customer, check) in expected)
        {
            Assert.Equal(check, round.Decide(customer, ConsentVocabulary.Marketing, now)!.Check);
        }

        Assert.Null(round.Decide(999_999, ConsentVocabulary.Marketing, now)); // no such customer, as the single check says

        // Through the dispatcher: one claimed round with every kind of customer.
        var messages = new Dictionary<string, long>
        {
            ["ann"] = await h.QueueAsync(ann, "r-ann"),
            ["dan"] = await h.QueueAsync(dan, "r-dan"),
            ["dan-service"] = await h.QueueAsync(dan, "r-dan-service", MessagePurpose.Service),
            ["pat"] = await h.QueueAsync(pat, "r-pat"),
            ["quinn"] = await h.QueueAsync(quinn, "r-quinn"),
            ["eve"] = await h.QueueAsync(eve, "r-eve"),
            ["cap1"] = await h.QueueAsync(cap, "r-cap1"),
            ["cap2"] = await h.QueueAsync(cap, "r-cap2"),
        };
        Assert.Equal(messages.Count, await h.DispatchAsync());

        var status = new Dictionary<string, OutboxEntry>();
        foreach (var (name, id) in messages)
        {
            status[name] = (await h.Outbox.GetAsync(id))!;
        }

        Assert.Equal(OutboxStatus.Sent, status["ann"].Status);
        Assert.Equal(OutboxStatus.Sent, status["dan-service"].Status);
        Assert.Equal(OutboxStatus.Blocked, status["dan"].Status);
        Assert.Equal(expected[dan].Detail, status["dan"].LastError);
        Assert.Equal((OutboxStatus.Pending, expected[pat].Detail, now + ConsentGate.PausedRetry), (status["pat"].Status, status["pat"].LastError, status["pat"].NextAttemptAt));
        Assert.Equal((OutboxStatus.Pending, now + ConsentGate.QuietHoursRetry), (status["quinn"].Status, status["quinn"].NextAttemptAt));
        Assert.Equal((OutboxStatus.Pending, expected[eve].Detail, now + ConsentGate.WeeklyCapRetry), (status["eve"].Status, status["eve"].LastError, status["eve"].NextAttemptAt));

        // Cap: room for one this week, so exactly one of its two messages went out.
        var capStatuses = new[] { status["cap1"], status["cap2"] }.Select(s => s.Status).Order().ToList();
        Assert.Equal([OutboxStatus.Pending, OutboxStatus.Sent], capStatuses);
        Assert.Equal(1 + 3, (await h.Smtp.WaitForAsync(4)).Count); // eve's earlier one, then ann, dan's service message and one of cap's
    }

    private static async Task Prefer(ConsentService consent, long customer, params (string Item, string Value)[] items) =>
        Assert.NotNull(await consent.UpdateAsync(customer, new ConsentUpdate("test", items.Select(i => new ConsentEntry(i.Item, i.Value)).ToList()), replace: false));
}
