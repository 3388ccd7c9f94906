using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Needs;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Events;

/// <summary>Rapport's own events: one writer, marked origin 'rapport', ignored by needs without any list of names; on both stores.</summary>
public sealed class OwnEventsTests
{
    [Theory, BothStores]
    public async Task OwnEvent_NameNoListKnows_IsNotAnInteractionForNeeds(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(h.View("v1", -2, "L1", "Lamps"), h.View("v2", -1, "L2", "Lamps"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        // A name no feature has used before, on the email channel, through both own paths.
        var stored = await h.Writer.WriteAsync(unit => OwnEvents.AppendAsync(unit,
        [
            new OwnFact("own-1", ann, "Birthday Card Mailed", new JsonObject { ["card"] = "blue" }, "rapport-tests", Channels.Email),
            new OwnFact("own-2", ann, "Birthday Card Mailed", [], "rapport-tests", Channels.Email),
        ]));
        await h.Writer.WriteAsync(unit => OwnEvents.WriteThroughIngestAsync(unit, h.Events,
            [new IncomingEvent("own-3", "track", "Birthday Card Mailed", Channels.Email, "ann", null, h.Clock.GetUtcNow(), [], null, null)]));
        Assert.All(stored, s => Assert.True(s.Own));
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM needs_pending")); // own events mark nobody for a needs refresh

        // The customer's next interaction recomputes their needs from the whole history.
        await h.SendAsync(h.View("v3", 0, "L3", "Lamps"));
        var needs = await h.Needs.GetAsync(ann);

        Assert.Equal(3, needs.Channels.Single(c => c.Channel == Channels.Web).Interactions);
        Assert.DoesNotContain(needs.Channels, x => x.Channel == Channels.Email && x.Interactions > 0);
        var origins = (await c.QueryAsync<(string MessageId, string Origin, string Context)>(
            "SELECT message_id, origin, COALESCE(context, '') FROM events ORDER BY message_id")).ToList();
        Assert.Equal(
            ["own-1", "own-2", "own-3"],
            origins.Where(o => o.Origin == EventOrigin.Rapport).Select(o => o.MessageId));
        Assert.Equal(["v1", "v2", "v3"], origins.Where(o => o.Origin == EventOrigin.Customer).Select(o => o.MessageId));
        Assert.Contains("rapport-tests", origins.Single(o => o.MessageId == "own-1").Context, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task Append_SameFactTwiceOrForAnAbsorbedCustomer_StoresItOnceOrNotAtAll(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(h.View("v1", -1, "L1", "Lamps"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var fact = new OwnFact("fact-1", ann, "Journey Step", new JsonObject { ["step"] = 1 }, "rapport-journeys");

        var first = await h.Writer.WriteAsync(unit => OwnEvents.AppendAsync(unit, [fact, fact]));
        var again = await h.Writer.WriteAsync(unit => OwnEvents.AppendAsync(unit, [fact]));
        var nobody = await h.Writer.WriteAsync(unit => OwnEvents.AppendAsync(unit, [fact with { MessageId = "fact-2", CustomerId = ann + 1000 }]));

        Assert.Single(first);
        Assert.Equal(new Identifier(Identifier.UserId, "ann"), first[0].Primary);
        Assert.Empty(again);
        Assert.Empty(nobody);
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(1L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE origin = 'rapport'"));
        Assert.Equal(h.Clock.GetUtcNow().ToUnixTimeMilliseconds(), await c.ExecuteScalarAsync<long>("SELECT occurred_at FROM events WHERE message_id = 'fact-1'"));
    }

    /// <summary>Migration 1561 marks own events written before the column, by name and Rapport's library; lookalikes a shop sent stay the customer's.</summary>
    [Theory, BothStores]
    public async Task Backfill_OwnNamesFromRapportLibraries_MarkedAndLookalikesNot(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        JsonObject Library(string name) => new() { ["library"] = new JsonObject { ["name"] = name } };
        IncomingEvent E(string id, string name, string library) =>
            new(id, "track", name, Channels.Web, "ann", null, h.Clock.GetUtcNow(), [], null, Library(library));
        await h.SendAsync(
            E("segment", "Segment Entered", "rapport-segments"),
            E("sms", "SMS Sent", "rapport-outbox"),
            E("consent-api", "Consent Updated", "rapport-consent"),
            E("consent-shop", "Consent Updated", "analytics.js"),
            E("opened", "Email Opened", "rapport-outbox"),
            E("shop-email", "Email Sent", "shopify"));

        await using var c = await h.Db.OpenAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE origin <> 'customer'")); // as before the column
        await c.ExecuteAsync(Rapport.Core.Events.OwnEventsSchema.Migrations.Single(m => m.Version == 1561).Sql);

        var own = await c.QueryAsync<string>("SELECT message_id FROM events WHERE origin = 'rapport' ORDER BY message_id");
        Assert.Equal(["consent-api", "segment", "sms"], own);
    }
}
