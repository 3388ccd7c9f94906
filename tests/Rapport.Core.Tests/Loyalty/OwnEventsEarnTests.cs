using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>Own events never earn points, even when a rule names them (docs/loyalty.md); on both stores.</summary>
public sealed class OwnEventsEarnTests
{
    [Theory, BothStores]
    public async Task RuleOnEmailSent_RapportsOwnEmailSent_EarnsNothing_TheCustomersOwnEventDoes(StoreKind store)
    {
        var program = PointsTests.Program with { Events = new Dictionary<string, long> { ["Review Submitted"] = 50, ["Email Sent"] = 10 } };
        await using var h = await LoyaltyHarness.CreateAsync(store, program);
        await h.SendAsync(Ev.Track("rv1", 0, "Review Submitted", new JsonObject { ["product_id"] = "CUP" }, user: "ann"));
        var ann = await h.CustomerAsync("ann");
        Assert.Equal(50, await h.BalanceAsync(ann));

        // The outbox's two paths: appended for a known customer, and through ingest (projections run) for a merged-away one.
        await h.Writer.WriteAsync(unit => OwnEvents.AppendAsync(unit, [new OwnFact("sent-1", ann, "Email Sent", [], "rapport-outbox", Channels.Email)]));
        await h.Writer.WriteAsync(unit => OwnEvents.WriteThroughIngestAsync(unit, h.Events, [Ev.Track("sent-2", 5, "Email Sent", [], user: "ann", channel: Channels.Email)]));
        Assert.Equal(50, await h.BalanceAsync(ann));

        // The same name collected from the customer's side does earn: only the origin stops it.
        await h.SendAsync(Ev.Track("sent-3", 6, "Email Sent", [], user: "ann", channel: Channels.Email));
        Assert.Equal(60, await h.BalanceAsync(ann));
        await h.AssertBalancedAsync();
    }
}
