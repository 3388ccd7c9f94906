using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Decisioning;
using Rapport.Engine.Segments;

namespace Rapport.Core.Actions;

/// <summary>A decision returned to a channel: what to show, why (to the customer), and the data behind it.</summary>
public sealed record DecisionView(
    long DecisionId, long ActionId, string Name, string Kind, string Channel, string? Placement, string Reason,
    double Score, double Propensity, double ExpectedValue, ProductSuggestion? Product, JsonObject? Content, JsonObject Data);

/// <summary>An action considered and left out, with the rule (or the contact gate's reason).</summary>
public sealed record SkippedAction(long ActionId, string Name, string Reason, string Detail);

public sealed record NextBestActions(long CustomerId, IReadOnlyList<DecisionView> Actions, IReadOnlyList<SkippedAction> Skipped);

/// <summary>
/// Decides a customer's next best actions for a channel and placement. Reads what the reasons and
/// conditions need, then in one write of the single writer: reads the action histories (so budgets
/// and caps are exact under concurrency), ranks (<see cref="DecisionRanker"/>), walks the ranking
/// through <see cref="ContactPolicy"/> (consent, pause, quiet hours, weekly maximum: no decision
/// leaves without it), logs each decision and one contact per purpose for the reply.
/// </summary>
public sealed class NextBestActionEngine(
    IDatabase database, StoreWriter writer, ActionCatalog catalog, ContactPolicy policy, SnapshotLoader snapshots, IProductSuggestions products, TimeProvider clock,
    Loyalty.ReciprocityQueries? reciprocity = null)
{
    public const int MaxLimit = 10;

    /// <returns>Null for an unknown customer.</returns>
    public async Task<NextBestActions?> DecideAsync(long id, string channel, string? placement, int limit, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var loaded = await catalog.CurrentAsync(ct);
        long customer;
        Dictionary<long, string> segments;
        Dictionary<string, string> facts;
        bool[] met;
        Dictionary<string, (string Name, bool Available)> named;
        IReadOnlyList<ProductSuggestion> suggestions = [];
        await using (var c = await database.OpenAsync(ct))
        {
            if (await ConsentLedger.CurrentCustomerAsync(c, null, id) is not { } current)
            {
                return null;
            }

            customer = current;
            segments = await CustomerFacts.SegmentsAsync(c, customer);
            facts = await CustomerFacts.LoadAsync(c, customer);
            met = await ConditionsAsync(c, loaded, customer, now, ct);
            named = await NamedProductsAsync(c, loaded, channel);
        }

        if (loaded.Actions.Any(a => a.Spec.Kind == ActionKinds.ProductOffer && a.Spec.ProductId is null && a.Spec.Channels.Contains(channel)))
        {
            suggestions = await products.SuggestAsync(customer, MaxLimit, ct);
            if (suggestions.FirstOrDefault(s => s.Source == "viewed") is { } viewed)
            {
                facts["last_viewed"] = viewed.Name;
            }
        }

        // Gifts favour customers who gave more than they received (issue 6's reciprocity ledger).
        var balance = reciprocity is null || !loaded.Actions.Any(a => ReciprocityWeight.GivingKinds.Contains(a.Spec.Kind))
            ? 0m
            : await reciprocity.BalanceAsync(customer, ct);
        var request = new DecisionRequest(channel, placement, now, segments.Keys.ToHashSet(), balance);
        // Grouped: concurrent decisions share one commit, each in its own savepoint, so every
        // read below still sees the decisions committed or made earlier in the group.
        return await writer.WriteGroupedAsync(async unit =>
        {
            var histories = await DecisionLog.HistoriesAsync(unit, customer);
            // What every decision of this reply is filed under (follows merges); read once.
            var identifier = (await ConsentLedger.StrongestIdentifierAsync(unit.Connection, unit.Transaction, unit.Dialect, customer))!.Value;
            var candidates = loaded.Actions.Select((a, i) => new Candidate(a.Spec, histories.GetValueOrDefault(a.Spec.Id, ActionHistory.None), met[i])).ToList();
            var (ranked, excluded) = DecisionRanker.Rank(request, candidates);
            var skipped = excluded.Select(e => new SkippedAction(e.Action.Id, e.Action.Name, e.Reason, e.Detail)).ToList();
            var chosen = new List<(RankedAction Ranked, ActionDefinition Action, ProductSuggestion? Product, ContactPermit Permit)>();
            var offered = new HashSet<string>(StringComparer.Ordinal);
            // The gate's answer depends on purpose, channel and time only, and nothing is recorded
            // before the walk ends: one check per purpose, not one per action.
            var gates = new Dictionary<string, ContactDecision>(StringComparer.Ordinal);
            foreach (var r in ranked)
            {
                if (chosen.Count >= limit)
                {
                    break;
                }

                var action = loaded.Actions.First(a => a.Spec.Id == r.Action.Id);
                ProductSuggestion? product = null;
                if (r.Action.Kind == ActionKinds.ProductOffer)
                {
                    if (r.Action.ProductId is { } sku)
                    {
                        var (name, available) = named.GetValueOrDefault(sku, (sku, true));
                        product = available ? new ProductSuggestion(sku, name, "picked for you", "action") : null;
                    }
                    else
                    {
                        product = suggestions.FirstOrDefault(s => !offered.Contains(s.Sku));
                    }

                    if (product is null)
                    {
                        skipped.Add(new(r.Action.Id, r.Action.Name, "no_product", r.Action.ProductId is { } p
                            ? $"product {p} is not available"
                            : "no product to offer: nothing viewed and not bought, no repeat purchase"));
                        continue;
                    }
                }

                if (!gates.TryGetValue(r.Action.Purpose, out var gate))
                {
                    gates[r.Action.Purpose] = gate = (await policy.CheckAsync(unit.Connection, unit.Transaction, customer, r.Action.Purpose, channel, now))!;
                }

                if (gate.Permit is not { } permit)
                {
                    skipped.Add(new(r.Action.Id, r.Action.Name, gate.Check.ReasonCode, gate.Check.Detail));
                    continue;
                }

                if (ControlGroups.InControl(r.Action.Id, customer, r.Action.Holdout))
                {
                    // Eligible and contactable, but held out: logged like a decision, shown nothing.
                    var heldId = await DecisionLog.AppendAsync(unit, customer, identifier, r, channel, placement, product?.Sku, "control group",
                        new JsonObject { ["control"] = true, ["holdout"] = r.Action.Holdout }, control: true);
                    skipped.Add(new(r.Action.Id, r.Action.Name, "control_group",
                        $"held out as this action's control group ({r.Action.Holdout:P0} of eligible customers); decision {heldId}"));
                    continue;
                }

                if (product is not null)
                {
                    offered.Add(product.Sku);
                }

                chosen.Add((r, action, product, permit));
            }

            var decisions = new List<DecisionView>(chosen.Count);
            foreach (var (r, action, product, _) in chosen)
            {
                var (reason, used) = Reason(r.Action, product, facts, segments);
                var data = Data(r, action, product, used, segments);
                var decisionId = await DecisionLog.AppendAsync(unit, customer, identifier, r, channel, placement, product?.Sku, reason, data);
                decisions.Add(new DecisionView(decisionId, r.Action.Id, r.Action.Name, r.Action.Kind, channel, placement, reason,
                    r.Score, r.Propensity, r.ExpectedValue, product, action.Content, data));
            }

            // One reply is one contact per purpose, however many actions it carries.
            foreach (var group in chosen.GroupBy(x => x.Ranked.Action.Purpose))
            {
                await ContactPolicy.RecordAsync(unit, group.First().Permit, "decisions:" + string.Join(",", decisions.Where(d => group.Any(g => g.Ranked.Action.Id == d.ActionId)).Select(d => d.DecisionId)));
            }

            return new NextBestActions(customer, decisions, skipped);
        }, ct);
    }

    public Task<OutcomeResult> RecordOutcomeAsync(long customer, long decisionId, string outcome, CancellationToken ct = default) =>
        writer.WriteGroupedAsync(unit => DecisionLog.RecordOutcomeAsync(unit, customer, decisionId, outcome), ct);

    private async Task<bool[]> ConditionsAsync(System.Data.Common.DbConnection c, ActionCatalog.Loaded loaded, long customer, DateTimeOffset now, CancellationToken ct)
    {
        var met = new bool[loaded.Actions.Count];
        var today = SegmentSet.DayOf(UnixTime.ToStorage(now));
        CustomerSnapshot? snapshot = null;
        if (loaded.Conditions.Segments.Count > 0)
        {
            snapshot = (await snapshots.LoadAsync(c, null, database.Dialect, loaded.Conditions, [customer], today, null, ct)).GetValueOrDefault(customer);
        }

        for (var i = 0; i < met.Length; i++)
        {
            var index = loaded.ConditionIndex[i];
            met[i] = index < 0 || (snapshot is not null && loaded.Conditions.Matches(snapshot, index, today));
        }

        return met;
    }

    /// <summary>Name and availability of the products that actions on this channel name.</summary>
    private static async Task<Dictionary<string, (string Name, bool Available)>> NamedProductsAsync(
        System.Data.Common.DbConnection c, ActionCatalog.Loaded loaded, string channel)
    {
        var result = new Dictionary<string, (string Name, bool Available)>(StringComparer.Ordinal);
        foreach (var sku in loaded.Actions.Where(a => a.Spec.Channels.Contains(channel)).Select(a => a.Spec.ProductId).OfType<string>().Distinct())
        {
            var row = await c.QuerySingleOrDefaultAsync<(string Name, long Available)?>(
                "SELECT name, available FROM products WHERE sku = @sku", new { sku });
            result[sku] = row is { } r ? (r.Name, r.Available == 1) : (sku, true);
        }

        return result;
    }

    private static (string Reason, IReadOnlyDictionary<string, string> Used) Reason(
        ActionSpec action, ProductSuggestion? product, Dictionary<string, string> facts, Dictionary<long, string> segments)
    {
        var local = new Dictionary<string, string>(facts, StringComparer.Ordinal);
        if (action.SegmentIds.FirstOrDefault(segments.ContainsKey) is var s && segments.TryGetValue(s, out var segmentName))
        {
            local["segment"] = segmentName;
        }

        if (product is not null)
        {
            local["product"] = product.Name;
            if (action.Reason is null)
            {
                return (product.Reason, new Dictionary<string, string> { ["product"] = product.Name, ["suggested_because"] = product.Source });
            }
        }

        return ReasonWriter.Write(action.Kind, action.Reason, local);
    }

    private static JsonObject Data(RankedAction r, ActionDefinition action, ProductSuggestion? product, IReadOnlyDictionary<string, string> used, Dictionary<long, string> segments) => new()
    {
        ["facts"] = new JsonObject(used.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["segments"] = new JsonArray(r.Action.SegmentIds.Where(segments.ContainsKey).Select(id => (JsonNode?)new JsonObject { ["id"] = id, ["name"] = segments[id] }).ToArray()),
        ["condition"] = action.Condition?.Text,
        ["product"] = product is null ? null : new JsonObject { ["sku"] = product.Sku, ["name"] = product.Name, ["source"] = product.Source },
        ["propensity"] = r.Propensity,
        ["value"] = r.Action.Value,
        ["priority"] = r.Action.Priority,
        ["score"] = r.Score,
        ["purpose"] = r.Action.Purpose,
        ["reciprocity_weight"] = ReciprocityWeight.GivingKinds.Contains(r.Action.Kind) && r.ExpectedValue > 0 ? r.Score / (r.ExpectedValue * r.Action.Priority) : null,
    };
}
