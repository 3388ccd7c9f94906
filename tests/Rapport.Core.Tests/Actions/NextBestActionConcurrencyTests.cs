using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Actions;
using Rapport.Core.Consent;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Actions;

/// <summary>
/// Many requests for the same customer at once, on two channels: cool-downs, caps and the weekly
/// maximum hold however the requests interleave (the reads that can be stale are outside the
/// write; everything that counts is read again inside it).
/// </summary>
public sealed class NextBestActionConcurrencyTests
{
    [Theory, BothStores]
    public Task Decide_ConcurrentRequestsOfOneCustomer_OnWebAndEmail_CapsAndCooldownHold(StoreKind store) => RunAsync(store, cached: false);

    /// <summary>The same with the in-memory facts: counts kept in memory are changed only inside the writer, so they stay exact.</summary>
    [Theory, BothStores]
    public Task Decide_ConcurrentRequestsOfOneCustomer_FromTheCache_CapsAndCooldownHold(StoreKind store) => RunAsync(store, cached: true);

    private static async Task RunAsync(StoreKind store, bool cached)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["firstName"] = "Ann" }, user: "ann"));
        h.Clock.SetUtcNow(Ev.At(60));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var options = new ConsentOptions();
        var catalog = new ActionCatalog(h.Db, h.Writer, SegmentFields.Default);
        await new ConsentService(h.Db, h.Writer, options, h.Clock).UpdateAsync(
            ann, ConsentRequestParser.Parse((JsonObject)JsonNode.Parse("""{"consents": {"marketing": true}, "maxPerWeek": {"email": 2}}""")!, "test").Update!, replace: false);
        async Task<long> Add(string json) => (await catalog.CreateAsync(ActionDefinitionParser.Parse((JsonObject)JsonNode.Parse(json)!, 0, _ => true, SegmentFields.Default).Action!))!.Value;
        var surprise = await Add("""{"name": "Surprise", "kind": "surprise", "purpose": "marketing", "channels": ["web", "email"], "cooldownHours": 24}""");
        var voucher = await Add("""{"name": "Voucher", "kind": "discount", "purpose": "marketing", "channels": ["web", "email"], "cap": {"max": 3, "days": 30}}""");
        var engine = new NextBestActionEngine(h.Db, h.Writer, catalog, new ContactPolicy(h.Db, options),
            new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts()]), new HistoryProductSuggestions(h.Db), h.Clock, cache: cached ? h.DecisionFacts : null);
        if (cached)
        {
            await engine.InputsAsync(ann, "web"); // warm: every request below reads the cache
            Assert.NotNull(h.DecisionFacts.Read(ann));
        }


        var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => engine.DecideAsync(ann, i % 2 == 0 ? "web" : "email", null, 3))));

        var given = replies.SelectMany(r => r!.Actions).ToList();
        Assert.Single(given, a => a.ActionId == surprise); // not emailed and shown at once
        Assert.Equal(3, given.Count(a => a.ActionId == voucher)); // the cap counts across channels
        Assert.True(replies.Count(r => r!.Actions.Any(a => a.Channel == "email")) <= 2, "the weekly email maximum of 2 held");
        var logged = await DecisionLog.ForCustomerAsync(h.Db, ann, 100, default);
        Assert.Equal(given.Select(a => a.DecisionId).Order(), logged.Select(d => d.Id).Order());
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(3L, await c.ExecuteScalarAsync<long>("SELECT issued FROM action_stats WHERE action_id = @voucher", new { voucher }));
        if (cached)
        {
            Assert.Contains($"action {voucher} issued 3 ", await engine.InputsAsync(ann, "web"), StringComparison.Ordinal); // the in-memory counters agree
        }
    }
}
