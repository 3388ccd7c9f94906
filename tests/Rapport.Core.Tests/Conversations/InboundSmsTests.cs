using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Conversations;
using Rapport.Core.Messaging;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Conversations;

/// <summary>Inbound SMS on the real write path, on both stores: threads by phone, dedup, keywords and consent, SMS answers and the STOP gate.</summary>
public sealed class InboundSmsTests
{
    [Theory, BothStores]
    public async Task AText_FromAKnownPhone_LandsOnTheCustomersThread_AndTimeline_Once(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (texts, service, queries, _, _) = Services(h);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["phone"] = "+44 7700 900123", ["name"] = "Ada" }, user: "ada"));
        var ada = await h.OwnerAsync(Identifier.UserId, "ada");
        var sms = new InboundSms("+447700900123", "+447700900000", "Is my lamp ready?", "SM1", null);

        var thread = await texts.ThreadAsync(sms);
        var stored = await texts.FileAsync(thread.Id, sms);
        Assert.True(stored.Created);
        Assert.Equal(ada, stored.Thread.CustomerId);
        Assert.Equal(ConversationChannels.Sms, stored.Message.Channel);
        Assert.Equal(1, stored.Thread.Unread);

        // The provider retries: the same message id is found, nothing new is stored.
        var again = await texts.StoredAsync("SM1");
        Assert.NotNull(again);
        Assert.Equal(stored.Message.Id, again.Message.Id);
        Assert.False((await texts.FileAsync(thread.Id, sms)).Created);
        Assert.Single(await queries.MessagesAsync(thread.Id));

        var timeline = await h.Customers.TimelineAsync(ada, 20, null, null, null, null);
        var received = Assert.Single(timeline.Items, e => e.Name == ConversationService.MessageReceived);
        Assert.Equal("sms", received.Channel);
        Assert.Equal("Is my lamp ready?", received.Properties!["text"]!.GetValue<string>());

        // An unknown number is a new customer, known by that phone.
        var stranger = new InboundSms("+1 (555) 010-0199", null, "Hello?", "SM2", null);
        var theirs = await texts.FileAsync((await texts.ThreadAsync(stranger)).Id, stranger);
        Assert.NotEqual(ada, theirs.Thread.CustomerId);
        Assert.Equal(theirs.Thread.CustomerId, await h.OwnerAsync(Identifier.Phone, "+15550100199"));
        Assert.Equal("+15550100199", theirs.Thread.CustomerName); // the inbox shows the number when there is no name
        _ = service;
    }

    [Theory, BothStores]
    public async Task Keywords_ChangeSmsMarketingConsent_InTheLedger_OncePerMessage_AndStoreNoMessage(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (texts, _, _, consent, _) = Services(h);
        Assert.Equal(ConsentEntry.Denied, InboundTexts.KeywordConsent(" stop "));
        Assert.Equal(ConsentEntry.Denied, InboundTexts.KeywordConsent("Unsubscribe."));
        Assert.Equal(ConsentEntry.Granted, InboundTexts.KeywordConsent("START"));
        Assert.Null(InboundTexts.KeywordConsent("please stop sending me lamps"));

        var start = new InboundSms("+447700900555", null, "START", "SM10", null);
        var granted = await texts.ApplyKeywordAsync(start, ConsentEntry.Granted);
        var stop = new InboundSms("+447700900555", null, "STOP", "SM11", null);
        var denied = await texts.ApplyKeywordAsync(stop, ConsentEntry.Denied);
        var retried = await texts.ApplyKeywordAsync(stop, ConsentEntry.Denied);

        Assert.True(granted.Created);
        Assert.True(denied.Created);
        Assert.False(retried.Created);
        var customer = denied.CustomerId;
        Assert.Equal(customer, await h.OwnerAsync(Identifier.Phone, "+447700900555"));
        var history = (await consent.HistoryAsync(customer, 50, null))!.Items;
        Assert.Equal(2, history.Count);
        Assert.All(history, e => Assert.Equal(InboundTexts.KeywordSource, e.Source));
        Assert.Equal(["marketing.sms:denied", "marketing.sms:granted"], history.Select(e => $"{e.Item}:{e.Value}"));
        var (_, state) = (await consent.GetAsync(customer))!.Value;
        Assert.Equal(ConsentEntry.Denied, state.Value("marketing.sms"));

        await using var c = await h.Db.OpenAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conversation_messages"));
        Assert.Equal(2L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE name = 'Consent Updated'"));
    }

    [Theory, BothStores]
    public async Task AStaffAnswerBySms_IsQueued_AndTheStopGateHoldsItBack_UntilStart(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var outbox = new Outbox(h.Writer, h.Db, h.Clock, new OutboxEvents(h.Events, h.Events.Projections.OfType<SegmentProjection>().Single()));
        var (texts, _, _, _, staff) = Services(h, new SmsDelivery(outbox));
        var grace = await staff.AddAsync("Grace", null);
        var sms = new InboundSms("+447700900777", null, "Do you deliver on Sunday?", "SM20", null);
        var asked = await texts.FileAsync((await texts.ThreadAsync(sms)).Id, sms);

        var service = new ConversationService(h.Writer, h.Events, h.Identity, [], [new SmsDelivery(outbox)]);
        var answer = (await service.AppendToThreadAsync(asked.Thread.Id, new NewMessage(Direction.Out, ConversationChannels.Sms, "Yes, 10 to 4.", grace.Id)))!;
        var queued = (await outbox.GetByKeyAsync($"conversation-{answer.Message.Id}"))!;
        Assert.Equal("sms", queued.Channel);
        Assert.Equal("service", queued.Purpose);
        Assert.Equal("+447700900777", queued.Recipient);

        var gate = new SmsStopGate(h.Db);
        var claimed = Assert.Single(await outbox.ClaimAsync("sms", 10, TimeSpan.FromMinutes(5)));
        Assert.Null(await gate.CheckAsync(claimed, h.Clock.GetUtcNow(), CancellationToken.None));
        await texts.ApplyKeywordAsync(new InboundSms("+447700900777", null, "STOP", "SM21", null), ConsentEntry.Denied);
        Assert.IsType<DeliveryOutcome.Blocked>(await gate.CheckAsync(claimed, h.Clock.GetUtcNow(), CancellationToken.None));
        await texts.ApplyKeywordAsync(new InboundSms("+447700900777", null, "START", "SM22", null), ConsentEntry.Granted);
        Assert.Null(await gate.CheckAsync(claimed, h.Clock.GetUtcNow(), CancellationToken.None));
        // Email is not this gate's business.
        Assert.Null(await gate.CheckAsync(claimed with { Channel = "email" }, h.Clock.GetUtcNow(), CancellationToken.None));
    }

    [Theory, BothStores]
    public async Task BadSms_IsRefused_WithWhatToSend(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (texts, _, _, _, _) = Services(h);
        Assert.Contains("messageId", Assert.Throws<ConversationException>(() => InboundTexts.Sender(new InboundSms("+447700900123", null, "hi", "", null))).Message, StringComparison.Ordinal);
        Assert.Contains("phone number", Assert.Throws<ConversationException>(() => InboundTexts.Sender(new InboundSms("shop", null, "hi", "SM1", null))).Message, StringComparison.Ordinal);
        Assert.Contains("empty", Assert.Throws<ConversationException>(() => InboundTexts.Sender(new InboundSms("+447700900123", null, " ", "SM1", null))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ConversationException>(() => texts.ThreadAsync(new InboundSms("12", null, "hi", "SM1", null)));
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conversation_threads"));
    }

    internal static (InboundTexts Texts, ConversationService Service, ConversationQueries Queries, ConsentService Consent, StaffDirectory Staff) Services(
        CoreHarness h, IConversationDelivery? delivery = null)
    {
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var service = new ConversationService(h.Writer, h.Events, h.Identity, [], delivery is null ? [] : [delivery]);
        var consent = new ConsentService(h.Db, h.Writer, new ConsentOptions(), h.Clock);
        return (new InboundTexts(h.Writer, h.Identity, service, consent, h.Db), service, new ConversationQueries(h.Db), consent, new StaffDirectory(h.Writer, h.Db, h.Clock));
    }
}
