using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Journeys;
using Rapport.Core.Messaging;
using Rapport.Core.Segments;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Messaging;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Journeys;

/// <summary>The real write path, outbox and SMTP server (<see cref="MessagingHarness"/>) plus the journey engine.</summary>
internal sealed class JourneyHarness : IAsyncDisposable
{
    private JourneyHarness(MessagingHarness messaging)
    {
        Messaging = messaging;
        Start();
    }

    public MessagingHarness Messaging { get; }

    public CoreHarness Core => Messaging.Core;

    public JourneyStore Store { get; private set; } = null!;

    public JourneyEngine Engine { get; private set; } = null!;

    public JourneyQueries Queries { get; private set; } = null!;

    public static async Task<JourneyHarness> CreateAsync(StoreKind kind)
    {
        var h = new JourneyHarness(await MessagingHarness.CreateAsync(kind));
        await h.Messaging.Templates.SaveAsync("cart-reminder", "email", "You left something, {{customer.firstName|there}}", "Your cart is waiting. {{links.unsubscribe}}", null);
        return h;
    }

    /// <summary>
    /// A process restart as far as journeys go: every journey object is built anew over the same
    /// store, so nothing the old ones held in memory survives; only what the store has does.
    /// </summary>
    public void Start()
    {
        var db = Core.Db;
        Store = new JourneyStore(db, Core.Writer, SegmentFields.Default);
        var catalog = new JourneyCatalog(Store, SegmentFields.Default);
        var loader = new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts(), new NeedsFacts()]);
        var runner = new JourneyRunner(db, Core.Writer, catalog, new JourneyActions(db, Messaging.Composer), Messaging.Outbox, loader, Core.Clock);
        Engine = new JourneyEngine(new JourneyFeed(db, Core.Writer, catalog), new JourneySweeps(db, Core.Writer, catalog, Core.Clock), runner);
        Queries = new JourneyQueries(db);
    }

    public async Task<long> JourneyAsync(string json) =>
        await Store.CreateAsync((JsonObject)JsonNode.Parse(json)!, JourneyStatus.Active) ?? throw new InvalidOperationException("name taken");

    public Task<long> CustomerAsync(string user, bool consent = true) =>
        consent
            ? Messaging.CustomerAsync(user, $"{user}@example.com", char.ToUpperInvariant(user[0]) + user[1..])
            : CustomerWithoutConsentAsync(user);

    public Task TrackAsync(string id, string user, string name, JsonObject? props = null) =>
        Core.SendAsync(new IncomingEvent(id, "track", name, Channels.Web, user, null, Core.Clock.GetUtcNow(), props ?? [], null, null));

    public Task<JourneyRound> RunAsync() => Engine.RunOnceAsync();

    public Task<int> DispatchAsync() => Messaging.DispatchAsync();

    public async Task<IReadOnlyList<string>> TimelineAsync(long customer) =>
        (await Core.Customers.TimelineAsync(customer, 200, null, null, "track", null)).Items
            .Where(e => e.Name!.StartsWith("Journey", StringComparison.Ordinal)).OrderBy(e => e.Id).Select(e => e.Name!).ToList();

    private async Task<long> CustomerWithoutConsentAsync(string user)
    {
        var traits = new JsonObject { ["email"] = $"{user}@example.com", ["firstName"] = user };
        await Core.SendAsync(Ev.Identify($"id-{user}", 0, traits, user: user));
        return await Core.OwnerAsync(Identifier.UserId, user);
    }

    public ValueTask DisposeAsync() => Messaging.DisposeAsync();
}
