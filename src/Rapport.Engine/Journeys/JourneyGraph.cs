namespace Rapport.Engine.Journeys;

/// <summary>
/// Checks the shape of a journey: every step id it points to exists, and no loop runs without a
/// wait (such a loop would send and re-send in the same instant, forever).
/// </summary>
internal static class JourneyGraph
{
    public static IEnumerable<JourneyError> Check(IReadOnlyList<JourneyStep> steps)
    {
        var byId = new Dictionary<string, JourneyStep>(StringComparer.Ordinal);
        foreach (var s in steps)
        {
            byId.TryAdd(s.Id, s);
        }

        var errors = new List<JourneyError>();
        for (var i = 0; i < steps.Count; i++)
        {
            foreach (var (key, target) in Edges(steps[i]))
            {
                if (!byId.ContainsKey(target))
                {
                    errors.Add(new($"$.steps[{i}].{key}", steps[i].Id,
                        $"there is no step '{target}'; point \"{key}\" at one of {string.Join(", ", byId.Keys)}, or leave it out to end the journey"));
                }
            }
        }

        if (errors.Count == 0 && LoopWithoutWait(steps, byId) is { } loop)
        {
            var at = steps.ToList().FindIndex(s => s.Id == loop[0]);
            errors.Add(new($"$.steps[{at}]", loop[0],
                $"steps {string.Join(" → ", loop.Append(loop[0]))} form a loop without a wait; add a wait step inside the loop or end it"));
        }

        return errors;
    }

    public static IEnumerable<(string Key, string Target)> Edges(JourneyStep step) => step switch
    {
        ConditionStep c => new[] { ("then", c.Then), ("else", c.Else) }.Where(e => e.Item2 is not null).Select(e => (e.Item1, e.Item2!)),
        { Next: { } n } => [("next", n)],
        _ => [],
    };

    /// <summary>A cycle through steps that are not waits (depth-first search, colours), as the list of its step ids.</summary>
    private static List<string>? LoopWithoutWait(IReadOnlyList<JourneyStep> steps, Dictionary<string, JourneyStep> byId)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();

        List<string>? Visit(JourneyStep s)
        {
            state[s.Id] = 1;
            path.Add(s.Id);
            foreach (var (_, target) in Edges(s))
            {
                var t = byId[target];
                if (t is WaitStep)
                {
                    continue;
                }

                var seen = state.GetValueOrDefault(t.Id);
                if (seen == 1)
                {
                    return path[path.IndexOf(t.Id)..];
                }

                if (seen == 0 && Visit(t) is { } loop)
                {
                    return loop;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[s.Id] = 2;
            return null;
        }

        foreach (var s in steps.Where(s => s is not WaitStep))
        {
            if (state.GetValueOrDefault(s.Id) == 0 && Visit(s) is { } loop)
            {
                return loop;
            }
        }

        return null;
    }
}
