using System.Text.Json.Nodes;
using Rapport.Core.Consent;
using Rapport.Core.Events;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Messaging;

/// <summary>The real write path (<see cref="CoreHarness"/>) plus the outbox and a real SMTP server.</summary>
internal sealed class MessagingHarness : IAsyncDisposable
{
    private MessagingHarness(CoreHarness core, SmtpSink smtp, RetryPolicy retry)
    {
        Core = core;
        Smtp = smtp;
        Options = new MessagingOptions { PublicUrl = "http://rapport.test", Retry = retry, Lease = TimeSpan.FromMinutes(5) };
        Secrets = new MessagingSecrets(core.Db, Options);
        Links = new MessageLinks(Secrets, Options);
        Templates = new TemplateStore(core.Writer, core.Db);
        Composer = new MessageComposer(Templates, core.Db, Links, Secrets);
        Consent = new ConsentGate(new ContactPolicy(core.Db, new ConsentOptions()));
        Outbox = new Outbox(core.Writer, core.Db, core.Clock, new OutboxEvents(core.Events, core.Events.Projections.OfType<Rapport.Core.Segments.SegmentProjection>().Single()), [Consent]);
        Feedback = new MessageFeedback(core.Writer, core.Events, core.Clock);
        Dispatcher = new OutboxDispatcher(Outbox, [new SuppressionGate(), Consent], Options, core.Clock);
        Transport = new SmtpTransport(new SmtpOptions("127.0.0.1", smtp.Port, "shop@rapport.test") { FromName = "The Shop", Connections = 2, Timeout = TimeSpan.FromSeconds(5) }, Links);
    }

    public CoreHarness Core { get; }

    public ConsentGate Consent { get; }

    public SmtpSink Smtp { get; }

    public MessagingOptions Options { get; }

    public MessagingSecrets Secrets { get; }

    public MessageLinks Links { get; }

    public TemplateStore Templates { get; }

    public MessageComposer Composer { get; }

    public Outbox Outbox { get; }

    public MessageFeedback Feedback { get; }

    public OutboxDispatcher Dispatcher { get; }

    public SmtpTransport Transport { get; }

    public static async Task<MessagingHarness> CreateAsync(StoreKind kind, RetryPolicy? retry = null)
    {
        var core = await CoreHarness.CreateAsync(kind);
        var h = new MessagingHarness(core, await SmtpSink.StartAsync(), retry ?? new RetryPolicy());
        await h.Templates.SaveAsync(
            "news", "email", "Hello {{customer.firstName|there}}",
            "Dear {{customer.firstName|customer}},\n{{#recommendations}}- {{name}}\n{{/recommendations}}Unsubscribe: {{links.unsubscribe}}",
            "<html><body><p>Dear {{customer.firstName}}</p><a href=\"https://shop.test/lamps\">Lamps</a></body></html>");
        return h;
    }

    /// <summary>A customer with an email address who agreed to marketing email (identify with traits), returned by id.</summary>
    public async Task<long> CustomerAsync(string user, string email, string firstName, JsonObject? consent = null)
    {
        var traits = new JsonObject { ["email"] = email, ["firstName"] = firstName, ["consent_email_marketing"] = true };
        foreach (var (k, v) in consent ?? [])
        {
            traits[k] = v?.DeepClone();
        }

        await Core.SendAsync(Ev.Identify($"id-{user}", 0, traits, user: user));
        return await Core.OwnerAsync(Identifier.UserId, user);
    }

    public async Task<long> QueueAsync(long customer, string key, string purpose = MessagePurpose.Marketing, JsonObject? data = null)
    {
        var message = await Composer.ComposeAsync(customer, "news", purpose, key, data);
        return (await Outbox.EnqueueAsync(message)).Id;
    }

    public Task<int> DispatchAsync() => Dispatcher.RunOnceAsync(Transport);

    public async Task<IReadOnlyList<string>> EmailEventsAsync(long customer) =>
        (await Core.Customers.TimelineAsync(customer, 100, null, Channels.Email, "track", null)).Items
            .OrderBy(e => e.Id).Select(e => e.Name!).ToList();

    public async ValueTask DisposeAsync()
    {
        await Transport.DisposeAsync();
        await Smtp.DisposeAsync();
        await Core.DisposeAsync();
    }
}
