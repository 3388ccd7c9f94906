using System.Text.Json.Nodes;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Messaging;

/// <summary>SMS through a provider webhook on a real loopback listener: signed, retried with back-off, dead-lettered.</summary>
public class WebhookTests
{
    private const string Secret = "a-shared-secret-of-32-characters";

    [Theory, BothStores]
    public async Task Sms_SignedPost_WithTheRenderedText_OnceAndOnTheTimeline(StoreKind store)
    {
        await using var f = await Fixture.CreateAsync(store);

        await f.DispatchAsync();

        var (body, key, valid) = Assert.Single(f.Receiver.Requests);
        Assert.True(valid);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("+441234567890", json["to"]!.GetValue<string>());
        Assert.Equal("Hi Ann, your order is ready", json["text"]!.GetValue<string>());
        Assert.Equal("sms-1", key);
        Assert.Equal(OutboxStatus.Sent, (await f.H.Outbox.GetAsync(f.Id))!.Status);
        var events = (await f.H.Core.Customers.TimelineAsync(f.Ann, 10, null, null, "track", null)).Items.Select(e => (e.Name, e.Channel));
        Assert.Contains(("SMS Sent", "phone"), events);
    }

    [Theory, BothStores]
    public async Task ProviderDown_RetriedWithBackOff_SameIdempotencyKey(StoreKind store)
    {
        await using var f = await Fixture.CreateAsync(store);
        f.Receiver.Script.Enqueue(503);

        await f.DispatchAsync();
        var waiting = (await f.H.Outbox.GetAsync(f.Id))!;
        Assert.Equal(OutboxStatus.Pending, waiting.Status);
        Assert.Contains("replied 503", waiting.LastError);
        f.H.Core.Clock.Advance(TimeSpan.FromSeconds(31));
        await f.DispatchAsync();

        Assert.Equal(OutboxStatus.Sent, (await f.H.Outbox.GetAsync(f.Id))!.Status);
        Assert.Equal(["sms-1", "sms-1"], f.Receiver.Requests.Select(r => r.IdempotencyKey));
    }

    [Theory, BothStores]
    public async Task ProviderHangs_TimesOut_ThenDeadLetter(StoreKind store)
    {
        await using var f = await Fixture.CreateAsync(store, timeout: TimeSpan.FromMilliseconds(300));
        f.Receiver.Script.Enqueue(-2000);
        f.Receiver.Script.Enqueue(-2000);

        await f.DispatchAsync();
        Assert.Contains("did not answer", (await f.H.Outbox.GetAsync(f.Id))!.LastError);
        f.H.Core.Clock.Advance(TimeSpan.FromMinutes(5));
        await f.DispatchAsync();

        var dead = Assert.Single(await f.H.Outbox.ListAsync(OutboxStatus.Dead, null, 10));
        Assert.Equal(f.Id, dead.Id);
        Assert.Contains("gave up after 2 attempts", dead.LastError);
    }

    [Theory, BothStores]
    public async Task ProviderRefuses_DeadAtOnce(StoreKind store)
    {
        await using var f = await Fixture.CreateAsync(store);
        f.Receiver.Script.Enqueue(400);

        await f.DispatchAsync();

        var dead = (await f.H.Outbox.GetAsync(f.Id))!;
        Assert.Equal((OutboxStatus.Dead, 1), (dead.Status, dead.Attempts));
        Assert.Contains("replied 400", dead.LastError);
    }

    private sealed class Fixture : IAsyncDisposable
    {
        private Fixture(MessagingHarness h, WebhookReceiver receiver, WebhookTransport transport, long ann, long id)
        {
            (H, Receiver, Transport, Ann, Id) = (h, receiver, transport, ann, id);
        }

        public MessagingHarness H { get; }

        public WebhookReceiver Receiver { get; }

        public WebhookTransport Transport { get; }

        public long Ann { get; }

        public long Id { get; }

        public static async Task<Fixture> CreateAsync(StoreKind store, TimeSpan? timeout = null)
        {
            var h = await MessagingHarness.CreateAsync(store, new RetryPolicy(MaxAttempts: 2));
            var receiver = new WebhookReceiver(Secret);
            var transport = new WebhookTransport(new WebhookOptions("sms", receiver.Url, Secret) { Timeout = timeout ?? TimeSpan.FromSeconds(10) }, new HttpClient(), h.Core.Clock);
            await h.Templates.SaveAsync("ready", "sms", "", "Hi {{customer.firstName}}, your order is ready", null);
            await h.Core.SendAsync(Ev.Identify("id-ann", 0, new JsonObject { ["phone"] = "+441234567890", ["firstName"] = "Ann" }, user: "ann"));
            var ann = await h.Core.OwnerAsync(Identifier.UserId, "ann");
            var id = (await h.Outbox.EnqueueAsync(await h.Composer.ComposeAsync(ann, "ready", MessagePurpose.Service, "sms-1", null))).Id;
            return new Fixture(h, receiver, transport, ann, id);
        }

        public Task<int> DispatchAsync() => H.Dispatcher.RunOnceAsync(Transport);

        public async ValueTask DisposeAsync()
        {
            await Receiver.DisposeAsync();
            await H.DisposeAsync();
        }
    }
}
