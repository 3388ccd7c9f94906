using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Actions;
using Rapport.Core.Segments;
using Rapport.Core.Storage;

namespace Rapport.Core.Demo;

/// <summary>What <see cref="DemoActions.RunAsync"/> did: actions saved now, decisions made, outcomes simulated.</summary>
public sealed record DemoActionsSummary(int ActionsCreated, int Decisions, int ControlDecisions, int Accepted, int Converted);

/// <summary>
/// A small action catalogue for the demo, one action per example segment, decided by the real
/// next-best-action engine for those segments' customers on email (so consent decides who gets
/// one, and each action's control group is held out as it would be), then outcomes drawn at
/// random: the data has none, and the actions page's uplift and acceptance would be empty.
/// The outcomes are simulated and only they: the decisions, holdouts and counters are Rapport's.
/// Drawn with a fixed seed, per action a treated acceptance rate above the control group's
/// conversion rate, so the uplift chart shows what a working action looks like.
/// </summary>
public static class DemoActions
{
    private sealed record Example(string Segment, string Definition, double Accepts, double ControlConverts);

    private static readonly Example[] Examples =
    [
        new("Platinum customers", """
            {"name": "Thank-you gift for platinum customers", "kind": "reward", "purpose": "marketing", "channels": ["email"],
             "holdout": 0.2, "value": 20, "reason": "thank you for being one of our most loyal customers",
             "content": {"title": "A gift for you", "text": "Free gift wrapping on your next order"}}
            """, 0.34, 0.22),
        new("Big spenders gone quiet", """
            {"name": "Win-back voucher", "kind": "discount", "purpose": "marketing", "channels": ["email"],
             "holdout": 0.2, "value": 30, "budget": {"total": 500, "perCustomer": 1},
             "content": {"title": "15% off your next order", "code": "COMEBACK15"}}
            """, 0.16, 0.07),
        new("Christmas shoppers", """
            {"name": "Christmas picks", "kind": "product_offer", "purpose": "marketing", "channels": ["email"],
             "holdout": 0.1, "value": 12}
            """, 0.12, 0.08),
        new("Kitchen lovers who value quality", """
            {"name": "Caring for your kitchenware", "kind": "content", "purpose": "marketing", "channels": ["email"], "value": 2,
             "content": {"title": "How to keep enamel mugs like new", "url": "https://example.invalid/guides/enamel"}}
            """, 0.25, 0),
    ];

    /// <summary>
    /// Saves the examples whose names are free and, when any was new, decides and simulates
    /// outcomes once (a re-run adds nothing: a second round would only meet cool-downs and caps).
    /// </summary>
    /// <param name="saved">The saved segments (<see cref="SegmentStore.ListAsync"/>): each example goes to the one it names.</param>
    public static async Task<DemoActionsSummary> RunAsync(
        ActionCatalog catalog, NextBestActionEngine engine, IReadOnlyList<SegmentView> saved, IDatabase db, CancellationToken ct = default)
    {
        var segments = saved.ToDictionary(s => s.Name, s => s.Id, StringComparer.Ordinal);

        var created = new Dictionary<long, Example>();
        foreach (var example in Examples.Where(e => segments.ContainsKey(e.Segment)))
        {
            var body = JsonNode.Parse(example.Definition)!.AsObject();
            body["segments"] = new JsonArray(segments[example.Segment]);
            var (action, errors) = ActionDefinitionParser.Parse(body, 0, segments.ContainsValue, catalog.Fields);
            var definition = action ?? throw new InvalidOperationException($"demo action: {string.Join("; ", errors.Select(e => $"{e.Path} {e.Message}"))}");
            if (await catalog.CreateAsync(definition, ct) is { } id)
            {
                created[id] = example;
            }
        }

        if (created.Count == 0)
        {
            return new DemoActionsSummary(0, 0, 0, 0, 0);
        }

        List<long> customers;
        await using (var c = await db.OpenAsync(ct))
        {
            customers = (await c.QueryAsync<long>(
                $"SELECT DISTINCT customer_id FROM segment_members WHERE segment_id IN ({string.Join(", ", created.Values.Select(e => segments[e.Segment]))}) ORDER BY customer_id")).ToList();
        }

        var random = new Random(20111209);
        int decisions = 0, accepted = 0;
        foreach (var customer in customers)
        {
            var decided = await engine.DecideAsync(customer, "email", null, 1, ct);
            foreach (var d in decided?.Actions ?? [])
            {
                decisions++;
                var yes = created.TryGetValue(d.ActionId, out var e) && random.NextDouble() < e.Accepts;
                accepted += yes ? 1 : 0;
                await engine.RecordOutcomeAsync(customer, d.DecisionId, yes ? "accepted" : "ignored", ct);
            }
        }

        // The control groups were shown nothing; some bought anyway, which the shop reports as "converted".
        List<(long Id, long Customer, long Action)> controls;
        await using (var c = await db.OpenAsync(ct))
        {
            controls = (await c.QueryAsync<(long, long, long)>(
                "SELECT id, customer_id, action_id FROM decisions WHERE control = 1 AND outcome IS NULL ORDER BY id")).ToList();
        }

        var converted = 0;
        foreach (var (id, customer, action) in controls)
        {
            if (created.TryGetValue(action, out var e) && random.NextDouble() < e.ControlConverts)
            {
                converted++;
                await engine.RecordOutcomeAsync(customer, id, "converted", ct);
            }
        }

        return new DemoActionsSummary(created.Count, decisions, controls.Count, accepted, converted);
    }
}
