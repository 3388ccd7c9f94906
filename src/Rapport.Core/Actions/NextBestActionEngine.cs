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
/// Decides a customer's next best actions for a channel and placement. Gets the facts reasons and
/// conditions need (<see cref="DecisionFactsReader"/>: from memory when warm), then in one write
/// of the single writer: takes the action counters and the customer's decisions, consent and
/// contacts (<see cref="ContactFacts"/>, in memory when warm, only ever changed inside the writer,
/// so budgets and caps are exact under concurrency), ranks (<see cref="DecisionRanker"/>), walks
/// the ranking through the contact rules (consent, pause, quiet hours, weekly maximum: no
/// decision leaves without them), logs each decision and one contact per purpose for the reply.
/// With a warm <see cref="DecisionFactsCache"/> the only database work is that write.
/// </summary>
public sealed partial class NextBestActionEngine(
    IDatabase database, StoreWriter writer, ActionCatalog catalog, ContactPolicy policy, SnapshotLoader snapshots, IProductSuggestions products, TimeProvider clock,
    Loyalty.ReciprocityQueries? reciprocity = null, DecisionFactsCache? cache = null)
{
    public const int MaxLimit = 10;

    private readonly DecisionFactsReader _facts = new(database, snapshots, products, reciprocity, cache);

    /// <returns>Null for an unknown customer.</returns>
    public async Task<NextBestActions?> DecideAsync(long id, string channel, string? placement, int limit, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var loaded = await catalog.CurrentAsync(ct);
        if (await _facts.GetAsync(id, ct) is not { } known)
        {
            return null;
        }

        var customer = known.Customer;
        var segments = known.Segments;
        var facts = new Dictionary<string, string>(known.Facts, StringComparer.Ordinal);
        var met = await _facts.ConditionsAsync(known, loaded, now, ct);
        var named = await _facts.NamedProductsAsync(loaded, channel, ct);
        IReadOnlyList<ProductSuggestion> suggestions = [];
        if (loaded.Actions.Any(a => a.Spec.Kind == ActionKinds.ProductOffer && a.Spec.ProductId is null && a.Spec.Channels.Contains(channel)))
        {
            suggestions = await _facts.SuggestionsAsync(known, MaxLimit, ct);
            if (suggestions.FirstOrDefault(s => s.Source == "viewed") is { } viewed)
            {
                facts["last_viewed"] = viewed.Name;
            }
        }

        // Gifts favour customers who gave more than they received (issue 6's reciprocity ledger).
        var balance = !loaded.Actions.Any(a => ReciprocityWeight.GivingKinds.Contains(a.Spec.Kind)) ? 0m : await _facts.BalanceAsync(known, ct);
        var request = new DecisionRequest(channel, placement, now, segments.Keys.ToHashSet(), balance);
        // Grouped: concurrent decisions share one commit, each in its own savepoint, so every
        // read below still sees the decisions committed or made earlier in the group.
        return await writer.WriteGroupedAsync(async unit =>
        {
            if (cache is null)
            {
                unit.CustomersChanged.Add(customer); // a cache elsewhere in this process must see these decisions
            }

            if (await ContactFactsAsync(unit, customer, now) is not { } contact)
            {
                return new NextBestActions(customer, [], []); // no identifier to file a decision under
            }

            var counters = await CountersAsync(unit);
            var identifier = contact.Identifier; // what every decision of this reply is filed under (follows merges)
            var candidates = loaded.Actions.Select((a, i) => new Candidate(a.Spec, History(counters, contact, a.Spec.Id), met[i])).ToList();
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
                    gates[r.Action.Purpose] = gate = ContactPolicy.Check(customer, identifier, contact.Consent, r.Action.Purpose, channel, now, contact.ContactsInWeek(channel, now));
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
                    contact.AddDecision(r.Action.Id, now);
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
                contact.AddDecision(r.Action.Id, now);
                var c = counters.GetValueOrDefault(r.Action.Id);
                counters[r.Action.Id] = (c.Issued + 1, c.Accepted, c.Ignored);
                if (cache is not null)
                {
                    cache.CountersSeen = DecisionLog.CounterWrites; // our own write, already counted above
                }
                decisions.Add(new DecisionView(decisionId, r.Action.Id, r.Action.Name, r.Action.Kind, channel, placement, reason,
                    r.Score, r.Propensity, r.ExpectedValue, product, action.Content, data));
            }

            // One reply is one contact per purpose, however many actions it carries.
            foreach (var group in chosen.GroupBy(x => x.Ranked.Action.Purpose))
            {
                await ContactPolicy.RecordUnmarkedAsync(unit, group.First().Permit, "decisions:" + string.Join(",", decisions.Where(d => group.Any(g => g.Ranked.Action.Id == d.ActionId)).Select(d => d.DecisionId)));
                contact.AddContact(channel, now);
            }

            return new NextBestActions(customer, decisions, skipped);
        }, ct);
    }

    public Task<OutcomeResult> RecordOutcomeAsync(long customer, long decisionId, string outcome, CancellationToken ct = default) =>
        writer.WriteGroupedAsync(unit => DecisionLog.RecordOutcomeAsync(unit, customer, decisionId, outcome), ct); // moves CounterWrites: cached counters are read again

    /// <summary>The action counters, inside the writer: from memory unless another writer of this process moved them.</summary>
    internal async Task<Dictionary<long, (long Issued, long Accepted, long Ignored)>> CountersAsync(UnitOfWork unit)
    {
        if (cache is null)
        {
            return await DecisionLog.CountersAsync(unit);
        }

        if (cache.Counters is { } known && cache.CountersSeen == DecisionLog.CounterWrites)
        {
            return known;
        }

        var seen = DecisionLog.CounterWrites;
        cache.Counters = await DecisionLog.CountersAsync(unit);
        cache.CountersSeen = seen;
        return cache.Counters;
    }

    private static ActionHistory History(Dictionary<long, (long Issued, long Accepted, long Ignored)> counters, ContactFacts contact, long action) =>
        counters.TryGetValue(action, out var c) ? new ActionHistory(c.Issued, c.Accepted, c.Ignored, contact.Decisions(action)) : new ActionHistory(0, 0, 0, contact.Decisions(action));

    /// <summary>
    /// The customer's write-side facts, inside the writer. The cached ones are used when loaded no
    /// later than now (a clock set back could count contacts the store's query would not); what this
    /// write adds to them is undone by dropping them should the write roll back.
    /// </summary>
    private async Task<ContactFacts?> ContactFactsAsync(UnitOfWork unit, long customer, DateTimeOffset now)
    {
        if (cache is null)
        {
            return await ContactFacts.LoadAsync(unit, customer, policy.Options, now);
        }

        unit.OnRollback(() =>
        {
            cache.Drop(customer);
            cache.Counters = null;
        });
        if (cache.Write(customer) is { } known && known.LoadedAt <= now)
        {
            return known;
        }

        var loaded = await ContactFacts.LoadAsync(unit, customer, policy.Options, now);
        if (loaded is not null)
        {
            cache.StoreWrite(customer, loaded);
        }

        return loaded;
    }

    private static (string Reason, IReadOnlyDictionary<string, string> Used) Reason(
        ActionSpec action, ProductSuggestion? product, Dictionary<string, string> facts, IReadOnlyDictionary<long, string> segments)
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

    private static JsonObject Data(RankedAction r, ActionDefinition action, ProductSuggestion? product, IReadOnlyDictionary<string, string> used, IReadOnlyDictionary<long, string> segments) => new()
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
