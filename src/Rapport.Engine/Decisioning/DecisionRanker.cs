namespace Rapport.Engine.Decisioning;

/// <summary>
/// Ranks a customer's candidate actions: every eligibility rule first (status, channel,
/// placement, time window, segments, condition, budget, per-customer cap, cool-down), then the
/// score = propensity × value × priority (× the reciprocity weight for gifts), where propensity is the Beta posterior mean of the
/// action's acceptance rate learned from accepted and ignored outcomes. Ties go to the higher
/// priority, then the lower id, so the order is deterministic. Consent is not decided here: the
/// caller walks this order through the contact gate (Rapport.Core ContactPolicy).
/// Cost: linear in candidates, a sort of the eligible ones; no allocation per rule.
/// </summary>
public static class DecisionRanker
{
    public static (List<RankedAction> Ranked, List<Excluded> Excluded) Rank(DecisionRequest request, IReadOnlyList<Candidate> candidates)
    {
        var ranked = new List<RankedAction>(candidates.Count);
        var excluded = new List<Excluded>();
        foreach (var c in candidates)
        {
            if (Exclusion(request, c) is { } why)
            {
                excluded.Add(new Excluded(c.Action, why.Reason, why.Detail));
                continue;
            }

            var a = c.Action;
            var propensity = a.Prior.Posterior(c.History.Accepted, c.History.Ignored);
            var expected = propensity * (double)a.Value;
            ranked.Add(new RankedAction(a, propensity, expected, expected * a.Priority * ReciprocityWeight.For(a.Kind, request.Reciprocity)));
        }

        ranked.Sort(static (x, y) =>
        {
            var byScore = y.Score.CompareTo(x.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var byPriority = y.Action.Priority.CompareTo(x.Action.Priority);
            return byPriority != 0 ? byPriority : x.Action.Id.CompareTo(y.Action.Id);
        });
        return (ranked, excluded);
    }

    /// <summary>The first rule the candidate fails, or null when it is eligible.</summary>
    public static (string Reason, string Detail)? Exclusion(DecisionRequest request, Candidate c)
    {
        var a = c.Action;
        var now = request.Now;
        if (!a.Active)
        {
            return ("inactive", "the action is paused");
        }

        if (!a.Channels.Contains(request.Channel))
        {
            return ("channel", $"the action is not delivered on {request.Channel} (it is on {string.Join(", ", a.Channels)})");
        }

        if (request.Placement is { } placement && a.Placements.Count > 0 && !a.Placements.Contains(placement))
        {
            return ("placement", $"the action is not shown at placement '{placement}'");
        }

        if (a.From is { } from && now < from)
        {
            return ("window", $"the action starts at {from:u}");
        }

        if (a.Until is { } until && now >= until)
        {
            return ("window", $"the action ended at {until:u}");
        }

        if (a.SegmentIds.Count > 0 && !a.SegmentIds.Any(request.Segments.Contains))
        {
            return ("segment", "the customer is in none of the action's segments");
        }

        if (!c.ConditionMet)
        {
            return ("condition", "the customer does not meet the action's condition");
        }

        if (a.Budget?.Total is { } total && c.History.IssuedTotal >= total)
        {
            return ("budget_exhausted", $"the action's budget of {total} is spent");
        }

        var mine = c.History.CustomerDecisions;
        if (a.Budget?.PerCustomer is { } perCustomer && mine.Count >= perCustomer)
        {
            return ("budget_exhausted", $"the customer has had this action {mine.Count} time(s); the budget per customer is {perCustomer}");
        }

        if (a.Cap is { } cap)
        {
            var since = now.AddDays(-cap.Days);
            var recent = 0;
            foreach (var t in mine)
            {
                if (t > since)
                {
                    recent++;
                }
            }

            if (recent >= cap.Max)
            {
                return ("frequency_cap", $"{recent} time(s) in the past {cap.Days} day(s); the cap is {cap.Max}");
            }
        }

        if (a.Cooldown is { } cooldown && mine.Count > 0)
        {
            var last = mine.Max();
            if (now < last + cooldown)
            {
                return ("cooldown", $"decided for this customer at {last:u} (on any channel); cools down until {last + cooldown:u}");
            }
        }

        return null;
    }
}
