using System.Text.Json.Nodes;
using Rapport.Core.Actions;
using Rapport.Core.Consent;
using Rapport.Core.Loyalty;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Loyalty;
using Rapport.Engine.Segments;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>
/// A loyalty programme change goes through the single writer and drops every customer's cached
/// decision facts: the reciprocity balance next best action reads is priced by the programme.
/// </summary>
public sealed class ProgramChangeTests
{
    [Theory, BothStores]
    public async Task ProgrammeChange_DropsCachedDecisionFacts_AndTheBalanceFollowsTheNewPrices(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["firstName"] = "Ann" }, user: "ann"), Ev.Track("rv", 2, "Review Submitted", [], user: "ann"));
        h.Clock.SetUtcNow(Ev.At(60));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var programs = new LoyaltyProgramStore(h.Db, h.Clock);
        var catalog = new ActionCatalog(h.Db, h.Writer, SegmentFields.Default);
        var (action, errors) = ActionDefinitionParser.Parse(
            (JsonObject)JsonNode.Parse("""{"name": "Thank-you gift", "kind": "surprise", "purpose": "marketing", "channels": ["web"], "reason": "{loyalty}"}""")!, 0, _ => true, SegmentFields.Default);
        Assert.Empty(errors);
        await catalog.CreateAsync(action!);
        NextBestActionEngine Engine(DecisionFactsCache? cache) => new(
            h.Db, h.Writer, catalog, new ContactPolicy(h.Db, new ConsentOptions()),
            new SnapshotLoader([new TraitFacts(), new CustomerValueFacts(), new PredictionFacts()]), new HistoryProductSuggestions(h.Db), h.Clock,
            new ReciprocityQueries(h.Db, programs), cache);
        var cached = Engine(h.DecisionFacts);
        var before = await cached.InputsAsync(ann, "web");
        Assert.NotNull(h.DecisionFacts.Read(ann));
        Assert.Contains("balance 5", before, StringComparison.Ordinal); // one review at the default price of 5

        await new LoyaltyProgramWriter(h.Writer, programs).SaveAsync(new LoyaltyProgram { Reciprocity = new ReciprocityPrices(Review: 40m) });

        Assert.Null(h.DecisionFacts.Read(ann));
        var after = await cached.InputsAsync(ann, "web");
        Assert.Equal(await Engine(null).InputsAsync(ann, "web"), after);
        Assert.Contains("balance 40", after, StringComparison.Ordinal);
        Assert.Equal(40m, (await programs.GetAsync()).Reciprocity.Review);
    }
}
